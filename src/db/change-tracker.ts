import {
  AliasNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  TableNode,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import { CATALOG_CHANNEL, CATALOG_TABLES } from './catalog-tables.js';
import { pgClientOptions } from './sessions.js';

function writtenTable(node: RootOperationNode): string | null | undefined {
  const name = (n: OperationNode | undefined): string | undefined => {
    if (!n) return undefined;
    if (TableNode.is(n)) return n.table.identifier.name;
    if (AliasNode.is(n)) return name(n.node);
    return undefined;
  };
  switch (node.kind) {
    case 'InsertQueryNode':
      return name(node.into);
    case 'UpdateQueryNode':
      return name(node.table);
    case 'DeleteQueryNode':
      return name(node.from.froms[0]);
    case 'RawNode':
      // Raw SQL: a write of unknown target (null) is assumed to touch the catalog.
      return /^\s*(insert|update|delete|replace)\b/i.test(node.sqlFragments[0] ?? '') ? null : undefined;
    default:
      return undefined;
  }
}

/**
 * Counts catalog writes (to CATALOG_TABLES, or raw SQL writes of unknown target) made through one
 * Kysely instance and its transactions, in this process.
 */
export class ChangeTracker implements KyselyPlugin {
  private local = 0;
  private external = 0;
  /** Every statement run through this instance: what proves a response-cache hit ran none. */
  statements = 0;

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    const table = writtenTable(node);
    this.statements += 1;
    if (table === null || (table !== undefined && CATALOG_TABLES.has(table))) this.local += 1;
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

  /** Another process committed a change (PostgreSQL NOTIFY, SQLite data_version). */
  bumpExternal(): void {
    this.external += 1;
  }

  get version(): string {
    return `${this.local}:${this.external}`;
  }
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
    next.on('notification', () => tracker.bumpExternal());
    try {
      await next.connect();
      await next.query(`listen ${CATALOG_CHANNEL}`);
    } catch (error) {
      await next.end().catch(() => {});
      if (!closed) onLost(error as Error);
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
      tracker.bumpExternal();
      if (closed) return;
      onLost(failure);
      reconnectLater();
    });
    client = next;
    delay = LISTEN_RETRY_MS.first;
    tracker.bumpExternal(); // whatever happened while we were not listening
    reliable = true;
  };
  void connect();
  return {
    get reliable() {
      return reliable && !closed;
    },
    refresh() {},
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
