import { fork } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { restartDelay, STABLE_MS } from './restart-delay.js';
import { SHUTDOWN_TIMEOUT_MS } from './shutdown.js';

// The primary serves nothing, so it imports nothing of the app: its memory stays that of a bare
// node process. Its log lines have the shape of the workers' (pino's JSON) for one log pipeline.
function log(level: 30 | 40 | 50, msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ level, time: Date.now(), pid: process.pid, role: 'primary', ...fields, msg })}\n`,
  );
}

/** `npm run migrate`'s script, in the form this process runs (compiled .js, or .ts under tsx in development). */
const setupScript = fileURLToPath(
  new URL(`../db/migrate-cli${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** Migrations and seeding run once, before any worker serves, in a child that then exits. */
async function prepareDatabaseInChild(): Promise<void> {
  const child = fork(setupScript, [], { stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) {
    log(50, 'preparing the database failed; no worker started', { exitCode: code });
    process.exit(1);
  }
}

export async function runPrimary(config: Config): Promise<void> {
  await prepareDatabaseInChild();

  const startedAt = new Map<Worker, number>();
  const pendingRestarts = new Set<NodeJS.Timeout>();
  let quickDeathsInARow = 0;
  let stopping = false;
  let unclean = false;

  const start = () => startedAt.set(cluster.fork(), Date.now());

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      // A worker stopped by our SIGTERM before it installed its handler dies of the signal: clean.
      if (code !== 0 && signal !== 'SIGTERM') unclean = true;
      if (startedAt.size === 0) process.exit(unclean ? 1 : 0);
      return;
    }
    quickDeathsInARow = lived >= STABLE_MS ? 0 : quickDeathsInARow + 1;
    const delay = restartDelay(quickDeathsInARow);
    log(50, 'worker died; replacing it', {
      worker: worker.process.pid,
      exitCode: code,
      signal,
      lived,
      delay,
    });
    const timer = setTimeout(() => {
      pendingRestarts.delete(timer);
      start();
    }, delay);
    pendingRestarts.add(timer);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(40, 'already shutting down', { signal });
      return;
    }
    stopping = true;
    log(30, 'shutting down', { signal });
    for (const timer of pendingRestarts) clearTimeout(timer);
    if (startedAt.size === 0) process.exit(0);
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      log(50, 'workers still running after the shutdown timeout; killing them');
      for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS + 5_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  for (let i = 0; i < config.webConcurrency; i++) start();
  log(30, `Mercato: ${config.webConcurrency} workers on http://${config.host}:${config.port}`);
}
