// `npm run worker`: a process that only delivers webhooks, for those who would rather keep that
// work off the app processes (set WEBHOOK_DISPATCHER=false on those). Any number may run at once.
import 'dotenv/config';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { createDatabase, dialectOf } from './db/connect.js';
import { prepareDatabase } from './db/prepare.js';
import { systemClock } from './lib/clock.js';
import { WebhookDispatcher } from './modules/webhooks/dispatcher.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const log = pino({ level: config.logLevel, base: { process: 'webhook-worker' } });
// The same locked, idempotent migration the app runs: the worker may be the first to start.
await prepareDatabase(config);
const db = createDatabase(config.database, { poolSize: 4 });
const dispatcher = new WebhookDispatcher({
  db,
  dialect: dialectOf(db),
  clock: systemClock,
  config: config.webhooks,
  log,
});
dispatcher.start();
log.info('webhook worker started');

const shutdown = async (signal: string) => {
  log.info({ signal }, 'webhook worker stopping');
  await dispatcher.stop();
  await db.destroy();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
