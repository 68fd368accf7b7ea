// `npm start` (node dist/server.js): the process a supervisor starts and signals. It imports no
// application code itself: with WEB_CONCURRENCY > 1 it stays a small primary that prepares the
// database in a short-lived child and keeps the workers running; otherwise it becomes the one
// worker. Only a worker loads the app (Fastify, the modules, the database drivers).
import 'dotenv/config';
import cluster from 'node:cluster';
import module from 'node:module';
import { type Config, exitOnConfigError, loadConfig } from './config.js';

// Node ≥ 22.1 keeps the compiled code of the app and its dependencies between starts (in the
// OS temp dir), which shortens start-up; Node 20 has no such cache and skips this.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    return exitOnConfigError(error);
  }
}

const config = configOrExit();
if (cluster.isPrimary && config.webConcurrency > 1) {
  const { runPrimary } = await import('./runtime/primary.js');
  await runPrimary(config);
} else {
  const { runWorker } = await import('./runtime/worker.js');
  // A lone process prepares the database itself; cluster workers find it prepared by the primary.
  await runWorker(config, { prepareDatabase: cluster.isPrimary }).catch(exitOnConfigError);
}
