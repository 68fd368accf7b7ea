/**
 * Backing services a test starts itself, to stop and start them under a running app: a throwaway
 * PostgreSQL cluster, a Redis server, PgBouncer. In CI a missing binary is a failure; elsewhere the
 * suite is skipped with the reason.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { inCi } from './env.js';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
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
async function serviceDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot()) {
    const [uid, gid] = await Promise.all([run('id', ['-u', SERVICE_USER]), run('id', ['-g', SERVICE_USER])]);
    chownSync(dir, Number(uid.stdout), Number(gid.stdout));
  }
  return dir;
}

function asServiceUser(command: string, args: string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', SERVICE_USER, '--', command, ...args]] : [command, args];
}

async function runAsServiceUser(command: string, args: string[]): Promise<void> {
  const [cmd, argv] = asServiceUser(command, args);
  await run(cmd, argv);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

export interface PostgresCluster {
  port: number;
  /** The cluster's `postgres` database, as user postgres (trust). */
  url: string;
  /** A fast shutdown, as a restart or failover does: every session gets 57P01 and is closed. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A PostgreSQL 15 cluster of its own (initdb in a temp dir, on a free port), for tests that stop it. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const dir = await serviceDir('mercato-pg-');
  const data = join(dir, 'data');
  const port = await freePort();
  await runAsServiceUser(`${PG_BIN}/initdb`, [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-N',
    '-E',
    'UTF8',
  ]);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c shared_buffers=16MB',
    '-c max_connections=60',
  ].join(' ');
  const pgCtl = (...args: string[]) =>
    runAsServiceUser(`${PG_BIN}/pg_ctl`, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', ...args]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const answers = async () => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    await client.connect();
    await client.end();
    return true;
  };
  const start = async () => {
    await pgCtl('-o', options, 'start');
    await waitFor('PostgreSQL', answers);
  };
  await start();
  return {
    port,
    url,
    start,
    stop: () => pgCtl('-m', 'fast', 'stop'),
    async close() {
      await pgCtl('-m', 'immediate', 'stop').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A Redis server of its own on a free port, without persistence. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mercato-redis-'));
  let proc: ChildProcess | undefined;
  const ping = async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG';
  const start = async () => {
    proc = spawn(
      REDIS_BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    await waitFor('Redis', ping);
  };
  const stop = async () => {
    const running = proc;
    proc = undefined;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGKILL'); // an outage, not a polite shutdown
    await once(running, 'exit');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PgBouncer {
  /** postgres://postgres@127.0.0.1:<port>/<database> through the pooler. */
  url(database: string): string;
  close(): Promise<void>;
}

/** PgBouncer in transaction mode (the usual production setting) in front of `postgresPort`. */
export async function startPgBouncer(postgresPort: number): Promise<PgBouncer> {
  const dir = await serviceDir('mercato-pgbouncer-');
  const port = await freePort();
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=127.0.0.1 port=${postgresPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 10',
      'max_client_conn = 200',
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      `logfile = ${join(dir, 'pgbouncer.log')}`,
    ].join('\n'),
  );
  const [cmd, argv] = asServiceUser(PGBOUNCER_BINARY, [join(dir, 'pgbouncer.ini')]);
  const proc = spawn(cmd, argv, { stdio: 'ignore' });
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  await waitFor('PgBouncer', async () => {
    const client = new pg.Client({ connectionString: url('postgres') });
    client.on('error', () => {});
    await client.connect();
    await client.query('select 1');
    await client.end();
    return true;
  });
  return {
    url,
    async close() {
      if (proc.exitCode === null) {
        // Signalled directly: runuser, its parent here, relays a signal only after a delay.
        const pid = Number(readFileSync(join(dir, 'pgbouncer.pid'), 'utf8'));
        process.kill(pid, 'SIGTERM');
        await Promise.race([once(proc, 'exit'), sleep(5000)]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
