// Fresh databases for a run: a new SQLite file, or a `mercato_bench_<stamp>` database created on
// BENCH_POSTGRES_URL's server and dropped at the end.
import { join } from 'node:path';
import pg from 'pg';
import { parseDatabaseUrl } from '../src/config.js';
import { createDatabase } from '../src/db/connect.js';
import type { Db } from '../src/db/database.js';
import { setupDatabase } from '../src/db/migrate.js';
import type { Dialect } from './options.js';

export const ADMIN_PASSWORD = 'bench-admin-password';

export interface BenchDatabase {
  dialect: Dialect;
  url: string;
  drop(): Promise<void>;
}

const redacted = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function withServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${redacted(serverUrl)} is unreachable (${(error as Error).message}). ` +
        'Start it, point BENCH_POSTGRES_URL at a server where this user may create databases, ' +
        'or run SQLite only with BENCH_DATABASES=sqlite.',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function freshPostgres(serverUrl: string): Promise<BenchDatabase> {
  const name = `mercato_bench_${Date.now()}_${process.pid}`;
  await withServer(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    dialect: 'postgres',
    url: url.toString(),
    // WITH (FORCE): a server killed mid-run may leave a connection behind.
    drop: () =>
      withServer(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(),
  };
}

export function freshDatabase(dialect: Dialect, dir: string, postgresUrl: string): Promise<BenchDatabase> {
  if (dialect === 'postgres') return freshPostgres(postgresUrl);
  // The file goes with the run's temporary folder.
  return Promise.resolve({
    dialect,
    url: `sqlite:${join(dir, `bench-${Date.now()}.db`)}`,
    drop: async () => {},
  });
}

/** A migrated, seeded database at `url`, as a production start leaves it. */
export async function migratedDatabase(url: string): Promise<Db> {
  const database = parseDatabaseUrl(url);
  const db = createDatabase(database, { poolSize: 2 });
  await setupDatabase(db, {
    env: 'production',
    adminUsername: 'admin',
    adminPassword: ADMIN_PASSWORD,
    database,
    databaseDirectUrl: undefined,
  });
  return db;
}
