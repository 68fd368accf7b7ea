import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, PG_BIN, runAsServiceUser, serviceDir, waitFor } from './services.js';

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
