import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
} from 'kysely';
import pg from 'pg';
import type { DatabaseUrl } from '../config.js';
import { changeTrackerOf, openTracked } from '../plugins/catalog-cache/index.js';
import type { Db } from './database.js';
import { pgClientOptions } from './sessions.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * SQLite transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so two
 * writers never both read then fail to upgrade (SQLITE_BUSY mid-checkout). Combined with the
 * busy timeout, concurrent writers simply queue.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/**
 * Kysely prepares every query anew; SQLite statements are reusable, and preparing is a visible
 * share of a catalog read. Kysely's single-connection mutex means a statement is never in use twice.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(query: string) {
      let statement = cache.get(query);
      if (statement) {
        cache.delete(query); // re-insert: the Map's order is least recently used first
      } else {
        statement = sqlite.prepare(query);
        if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      }
      cache.set(query, statement);
      return statement;
    },
  };
}

function pgTypes() {
  const types = pg.types;
  // int8 (COUNT, SUM over integers, bigint cents) and numeric come back as strings by default;
  // every value we store fits in a double's 53-bit integer range.
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === types.builtins.INT8 || oid === types.builtins.NUMERIC) return (v: string) => Number(v);
      return types.getTypeParser(oid, format);
    },
  };
}

export interface DatabaseOptions {
  poolSize?: number;
  /** Told about connection errors the pool survives (server restart), to log them. */
  onConnectionError?: (error: Error) => void;
}

export function createDatabase(url: DatabaseUrl, options: DatabaseOptions = {}): Db {
  if (url.dialect === 'sqlite') {
    if (url.filename !== ':memory:') mkdirSync(dirname(url.filename), { recursive: true });
    const sqlite = new SQLite(url.filename);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    // 8 MB of page cache (better-sqlite3's build defaults to 16 MB): the rest of the file stays in
    // the OS page cache, outside the process's 150 MB RSS budget.
    sqlite.pragma('cache_size = -8000');
    // Prepared once: sqlite.pragma() prepares on every call, a tenth of a cached catalog read.
    const dataVersion = sqlite.prepare('pragma data_version').pluck();
    // Read once per request (the session check and a kept answer each ask; a pragma is a twentieth
    // of a kept read): every request start forgets the last reading (dataVersionReadStale), so a
    // reading a request is given is never older than that request. Forgotten at the end of the
    // event loop's turn too, for what reads outside requests.
    let reading: number | undefined;
    const forget = () => {
      reading = undefined;
    };
    const readDataVersion = () => {
      if (reading === undefined) {
        reading = dataVersion.get() as number;
        setImmediate(forget);
      }
      return reading;
    };
    const db = openTracked(
      new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
      readDataVersion,
    );
    dataVersions.set(db, { read: readDataVersion, forget });
    return db;
  }
  const pool = new pg.Pool({ ...pgClientOptions(url.url), max: options.poolSize ?? 10, types: pgTypes() });
  const onError = options.onConnectionError ?? (() => {});
  // A server restart sends every session an error (57P01) or just closes it. An idle client's error
  // reaches the pool, which drops the client; a checked-out client's error has no listener of the
  // pool's and would be an uncaught exception: the query in flight, if any, fails on its own (503),
  // and the dead client is discarded when it is released.
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const db = openTracked(new PostgresDialect({ pool }));
  // The pool's backends, whose NOTIFYs are this process's own commits (see ChangeTracker). Only
  // when the key the server sent is the backend's own: a pooler (PgBouncer) sends keys of its own,
  // and then every NOTIFY counts as another process's, as it may be.
  const { ownBackends } = changeTrackerOf(db);
  const keyOf = (client: pg.PoolClient) => (client as unknown as { processID: number | null }).processID;
  pool.on('connect', (client) => {
    client
      .query<{ pid: number }>('select pg_backend_pid() as pid')
      .then(({ rows }) => {
        if (rows[0]?.pid === keyOf(client)) ownBackends.add(rows[0].pid);
      })
      .catch(() => {}); // a connection that fails here fails its first query too, and is dropped
  });
  pool.on('remove', (client) => {
    const pid = keyOf(client);
    if (pid !== null) ownBackends.delete(pid);
  });
  return db;
}

const dataVersions = new WeakMap<Db, { read: () => number; forget: () => void }>();

/**
 * SQLite: reads PRAGMA data_version of the app's connection, synchronously; it changes when another
 * connection (a cluster worker, a CLI) commits. Undefined for PostgreSQL.
 */
export const dataVersionOf = (db: Db): (() => number) | undefined => dataVersions.get(db)?.read;

/** A request has started: the next data_version reading is a fresh one (SQLite; nothing for PostgreSQL). */
export const dataVersionReadStale = (db: Db): void => dataVersions.get(db)?.forget();

// biome-ignore lint/suspicious/noExplicitAny: works on any schema, including a migration's
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
