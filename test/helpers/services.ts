/**
 * Backing services a test starts itself, to stop and start them under a running app: a throwaway
 * PostgreSQL cluster, a Redis server, PgBouncer. In CI a missing binary is a failure; elsewhere the
 * suite is skipped with the reason.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chownSync, constants, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { inCi } from './env.js';

export const run = promisify(execFile);
export const PG_BIN = '/usr/lib/postgresql/15/bin';
// PostgreSQL and PgBouncer refuse to run as root; tests running as root (CI) run them as this user.
const SERVICE_USER = 'postgres';

/** The reason a suite must be skipped (outside CI), or undefined when every binary is there. */
export function missingBinaries(...paths: string[]): string | undefined {
  const missing = paths.filter((path) => {
    try {
      accessSync(path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return undefined;
  const reason = `not installed: ${missing.join(', ')}`;
  if (inCi()) throw new Error(`${reason}; CI must install them (see .ci/run)`);
  console.log(`# skipping: ${reason}`);
  return reason;
}

export const POSTGRES_BINARIES = [`${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`];
export const PGBOUNCER_BINARY = '/usr/sbin/pgbouncer';
export const REDIS_BINARY = '/usr/bin/redis-server';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const asRoot = () => process.getuid?.() === 0;

/** A temporary directory the service user can write to. */
export async function serviceDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot()) {
    const [uid, gid] = await Promise.all([run('id', ['-u', SERVICE_USER]), run('id', ['-g', SERVICE_USER])]);
    chownSync(dir, Number(uid.stdout), Number(gid.stdout));
  }
  return dir;
}

export function asServiceUser(command: string, args: string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', SERVICE_USER, '--', command, ...args]] : [command, args];
}

export async function runAsServiceUser(command: string, args: string[]): Promise<void> {
  const [cmd, argv] = asServiceUser(command, args);
  await run(cmd, argv);
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}
