import 'dotenv/config';
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createDatabase } from './db/connect.js';
import { setupDatabase } from './db/migrate.js';
import { enabledProviders } from './modules/payments/providers/index.js';

function configOrExit(): Config {
  try {
    const config = loadConfig();
    enabledProviders(config); // an unknown name in PAYMENT_PROVIDERS is a configuration error too
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Migrations and seeds run once, in the primary, before any worker serves. */
async function prepareDatabase(config: Config): Promise<void> {
  const db = createDatabase(config.database, { poolSize: 2 });
  try {
    const report = await setupDatabase(db, config);
    if (report.migrated.length > 0) console.log(`Applied migrations: ${report.migrated.join(', ')}`);
    if (report.generatedAdminPassword) {
      console.log(
        `Created admin "${config.adminUsername}" with password: ${report.generatedAdminPassword}\n` +
          '  (shown once; set ADMIN_PASSWORD to choose it, or run npm run create-admin to reset it)',
      );
    } else if (report.adminCreated) {
      console.log(`Created admin "${config.adminUsername}" from ADMIN_PASSWORD`);
    }
  } finally {
    await db.destroy();
  }
}

async function serve(config: Config): Promise<void> {
  const app = await buildApp(config);
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  const address = await app.listen({ port: config.port, host: config.host });
  if (cluster.isPrimary) console.log(`Mercato listening on ${address} (docs: ${address}/docs)`);
}

const config = configOrExit();
if (cluster.isPrimary) {
  await prepareDatabase(config);
  if (config.webConcurrency > 1) {
    for (let i = 0; i < config.webConcurrency; i++) cluster.fork();
    console.log(`Mercato: ${config.webConcurrency} workers on http://${config.host}:${config.port}`);
    cluster.on('exit', (worker, code, signal) => {
      if (code !== 0 && !signal) console.error(`worker ${worker.process.pid} exited with ${code}`);
    });
    const stop = () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } else {
    await serve(config);
  }
} else {
  await serve(config);
}
