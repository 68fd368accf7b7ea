import cluster from 'node:cluster';
import { buildApp } from '../app.js';
import type { Config } from '../config.js';
import { prepareDatabase } from '../db/prepare.js';
import { closeOnSignals } from './shutdown.js';

/** One serving process: the app on the configured port, closed gracefully on SIGTERM or SIGINT. */
export async function runWorker(config: Config, options: { prepareDatabase: boolean }): Promise<void> {
  if (options.prepareDatabase) await prepareDatabase(config);
  const app = await buildApp(config);
  closeOnSignals(app.log, () => app.close());
  const address = await app.listen({ port: config.port, host: config.host });
  if (cluster.isPrimary) console.log(`Mercato listening on ${address} (docs: ${address}/docs)`);
}
