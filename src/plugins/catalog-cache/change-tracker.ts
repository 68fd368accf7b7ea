import {
  type Dialect,
  Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import type { Database, Db } from '../../db/database.js';
import { pgClientOptions } from '../../db/sessions.js';
import { CATALOG_CHANNEL } from './catalog-tables.js';
import { type ChangeKind, type CountedKind, trackedDialect } from './tracked-driver.js';

/**
 * Counts catalog writes (to CATALOG_TABLES, or raw SQL writes of unknown target) made through one
 * Kysely instance and its transactions, in this process. Besides the catalog version (any such
 * write), it keeps narrower versions (ChangeKind) for what only part of the catalog shapes.
 */
export class ChangeTracker implements KyselyPlugin {
  private external = 0;
  /** This process's committed writes of each kind (counted by the tracked driver after commit). */
  private readonly committedOf: Record<CountedKind, number> = {
    catalog: 0,
    products: 0,
    stock: 0,
    offers: 0,
  };
  /** Other processes' writes, of any kind: what a narrower version cannot tell apart. */
  private foreign = 0;
  /**
   * PostgreSQL: the backends of this process's pool. A NOTIFY one of them sent is this process's
   * own commit, which the narrower versions have counted already, precisely.
   */
  readonly ownBackends = new Set<number>();
  /** Every statement run through this instance: what proves a response-cache hit ran none. */
  statements = 0;

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    this.statements += 1;
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }

  private dataVersion?: () => number;
  private seenDataVersion?: number;

  /** SQLite: how to read PRAGMA data_version, synchronously (it changes when another connection commits). */
  watchDataVersion(read: () => number): void {
    this.dataVersion = read;
    this.seenDataVersion = read();
  }

  checkDataVersion(): void {
    if (!this.dataVersion) return;
    const current = this.dataVersion();
    if (current !== this.seenDataVersion) {
      this.seenDataVersion = current;
      this.bumpExternal();
    }
  }

  /**
   * A change was committed outside this tracker's sight (PostgreSQL NOTIFY, SQLite data_version, a
   * LISTEN session lost). `ownBackend`: the NOTIFY came from this process's pool.
   */
  bumpExternal(ownBackend = false): void {
    this.external += 1;
    if (!ownBackend) this.foreign += 1;
  }

  /** The tracked driver: a transaction (or a statement outside one) with writes of these kinds committed. */
  committed(kinds: Iterable<CountedKind>): void {
    for (const kind of kinds) this.committedOf[kind] += 1;
  }

  /** The catalog version: moves with every catalog write, this process's once committed, or another's. */
  get version(): string {
    return `${this.committedOf.catalog}:${this.external}`;
  }

  /** A narrower version: moves with this process's committed writes of `kind`, and any other process's write. */
  versionOf(kind: ChangeKind): string {
    return `${this.committedOf[kind]}:${this.foreign}`;
  }
}

const trackers = new WeakMap<Db, ChangeTracker>();

/**
 * A Kysely instance whose every statement passes the catalog change tracker. createDatabase opens
 * every database through this, so whatever writes through it (services, CLIs, tests) is counted.
 * SQLite: `readDataVersion` reads PRAGMA data_version, which changes when another connection commits.
 */
export function openTracked(dialect: Dialect, readDataVersion?: () => number): Db {
  const tracker = new ChangeTracker();
  const db = new Kysely<Database>({ dialect: trackedDialect(dialect, tracker), plugins: [tracker] });
  if (readDataVersion) tracker.watchDataVersion(readDataVersion);
  trackers.set(db, tracker);
  return db;
}

/** The catalog write counter of a database opened by createDatabase. */
export function changeTrackerOf(db: Db): ChangeTracker {
  const tracker = trackers.get(db);
  if (!tracker) throw new Error('database not opened by createDatabase');
  return tracker;
}

/**
 * Follows other processes' catalog writes so this process's cache never serves what they changed.
 * PostgreSQL: triggers NOTIFY on commit and a dedicated connection LISTENs; while that connection is
 * down, `reliable` is false and callers must not cache. SQLite: `PRAGMA data_version` changes when
 * another connection (a cluster worker) commits, checked on each read.
 */
export interface ExternalChanges {
  readonly reliable: boolean;
  /** Brings the tracker up to date (SQLite asks the database; PostgreSQL is pushed to). */
  refresh(): void;
  close(): Promise<void>;
}

/** Reconnection delays of the LISTEN session: quick at first, then no faster than every 5 s. */
export const LISTEN_RETRY_MS = { first: 250, max: 5000 };

/** What a LISTEN session tells its owner. */
export interface ListenHandlers {
  /** A NOTIFY on the channel, with its payload and the process id of the backend that sent it. */
  notify(payload: string, from: number): void;
  /** The session was lost, or is back: notifications may have been missed in between. */
  reset(): void;
  onLost?(error: Error | undefined): void;
}

/** A LISTEN on one channel over a session of its own, reconnected with a backoff until closed. */
export interface Listening {
  /** False while the LISTEN is not in place: what it would tell may go unheard. */
  readonly reliable: boolean;
  close(): Promise<void>;
}

export function keepListening(sessionUrl: string, channel: string, handlers: ListenHandlers): Listening {
  let client: pg.Client | undefined;
  let reliable = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = LISTEN_RETRY_MS.first;
  const reconnectLater = () => {
    if (closed) return;
    retry = setTimeout(connect, delay);
    delay = Math.min(delay * 2, LISTEN_RETRY_MS.max);
  };
  const connect = async () => {
    const next = new pg.Client(pgClientOptions(sessionUrl));
    let failure: Error | undefined;
    // A session that dies (server restart, 57P01, network) reports an error then ends; both are
    // handled here, never as an uncaught error.
    next.on('error', (error) => {
      failure = error;
    });
    next.on('notification', (message) => handlers.notify(message.payload ?? '', message.processId));
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
    } catch (error) {
      await next.end().catch(() => {});
      if (!closed) handlers.onLost?.(error as Error);
      reconnectLater();
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    next.on('end', () => {
      // Until the next LISTEN is in place, writes of other processes go unheard: callers stop caching.
      reliable = false;
      client = undefined;
      handlers.reset();
      if (closed) return;
      handlers.onLost?.(failure);
      reconnectLater();
    });
    client = next;
    delay = LISTEN_RETRY_MS.first;
    handlers.reset(); // whatever happened while we were not listening
    reliable = true;
  };
  void connect();
  return {
    get reliable() {
      return reliable && !closed;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}

export function followExternalChanges(
  tracker: ChangeTracker,
  sessionUrl: string | undefined,
  onLost: (error: Error | undefined) => void = () => {},
): ExternalChanges {
  if (!sessionUrl) {
    return {
      reliable: true,
      refresh: () => tracker.checkDataVersion(),
      async close() {},
    };
  }
  const listening = keepListening(sessionUrl, CATALOG_CHANNEL, {
    notify: (_payload, from) => tracker.bumpExternal(tracker.ownBackends.has(from)),
    reset: () => tracker.bumpExternal(),
    onLost,
  });
  return {
    get reliable() {
      return listening.reliable;
    },
    refresh() {},
    close: () => listening.close(),
  };
}
