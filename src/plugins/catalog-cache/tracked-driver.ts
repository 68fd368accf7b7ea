import {
  AliasNode,
  ColumnNode,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type OperationNode,
  type QueryResult,
  type RootOperationNode,
  TableNode,
  type TransactionSettings,
  UpdateQueryNode,
} from 'kysely';
import { CATALOG_TABLES, PRODUCT_TABLES } from './catalog-tables.js';
import type { ChangeTracker } from './change-tracker.js';

/** The table a statement writes: undefined for a read, null for raw SQL that writes who knows what. */
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
 * What a write changes, narrower than "the catalog": what a product's own JSON and pricing rows
 * show besides stock (`products`), only variants' stock (`stock`: a checkout, a cancellation), the
 * offers (`offers`: when prices next change with time alone).
 */
export type ChangeKind = 'products' | 'stock' | 'offers';

/** What the tracked driver counts: the narrower kinds, and any catalog write. */
export type CountedKind = ChangeKind | 'catalog';

const ALL_KINDS: readonly CountedKind[] = ['catalog', 'products', 'stock', 'offers'];

/** An UPDATE of product_variants that sets nothing but `stock`. */
function setsOnlyStock(node: RootOperationNode): boolean {
  return (
    UpdateQueryNode.is(node) &&
    (node.updates ?? []).every(
      (update) => ColumnNode.is(update.column) && update.column.column.name === 'stock',
    )
  );
}

export function kindsWritten(node: RootOperationNode): readonly CountedKind[] {
  const table = writtenTable(node);
  if (table === undefined) return [];
  if (table === null) return ALL_KINDS; // raw SQL writing who knows what
  if (!CATALOG_TABLES.has(table)) return [];
  if (!PRODUCT_TABLES.has(table)) return ['catalog'];
  if (table === 'offers') return ['catalog', 'offers', 'products'];
  if (table === 'product_variants' && setsOnlyStock(node)) return ['catalog', 'stock'];
  return ['catalog', 'products'];
}

/** A connection whose writes are counted once they are committed. */
class TrackedConnection implements DatabaseConnection {
  /** While a transaction is open: the kinds it wrote, counted when it commits. */
  pending: Set<CountedKind> | undefined;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly tracker: ChangeTracker,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const kinds = kindsWritten(query.query);
    if (kinds.length === 0) return this.inner.executeQuery(query);
    if (this.pending) {
      for (const kind of kinds) this.pending.add(kind);
      return this.inner.executeQuery(query);
    }
    try {
      return await this.inner.executeQuery(query);
    } finally {
      this.tracker.committed(kinds); // a statement on its own commits as it ends
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery(query, chunkSize);
  }
}

const innerOf = (connection: DatabaseConnection) => (connection as TrackedConnection).inner;

/**
 * Counts writes by kind after they commit, never before: a reader in another connection that read
 * the old rows then finds a version that has moved, so nothing it kept from them is served. (The
 * narrower versions ignore the NOTIFY this process's own commit sends; the catalog version moves
 * again when it arrives.)
 */
class TrackedDriver implements Driver {
  private readonly tracked = new WeakMap<DatabaseConnection, TrackedConnection>();
  readonly savepoint?: Driver['savepoint'];
  readonly rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  readonly releaseSavepoint?: Driver['releaseSavepoint'];

  constructor(
    private readonly inner: Driver,
    private readonly tracker: ChangeTracker,
  ) {
    const { savepoint, rollbackToSavepoint, releaseSavepoint } = inner;
    if (savepoint) this.savepoint = (c, name, compile) => savepoint.call(inner, innerOf(c), name, compile);
    if (rollbackToSavepoint)
      this.rollbackToSavepoint = (c, name, compile) =>
        rollbackToSavepoint.call(inner, innerOf(c), name, compile);
    if (releaseSavepoint)
      this.releaseSavepoint = (c, name, compile) => releaseSavepoint.call(inner, innerOf(c), name, compile);
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let tracked = this.tracked.get(connection);
    if (!tracked) {
      tracked = new TrackedConnection(connection, this.tracker);
      this.tracked.set(connection, tracked);
    }
    return tracked;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.inner.beginTransaction(innerOf(connection), settings);
    (connection as TrackedConnection).pending = new Set();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const tracked = connection as TrackedConnection;
    try {
      await this.inner.commitTransaction(tracked.inner);
    } finally {
      // Counted even when the commit's answer was lost: it may have committed.
      if (tracked.pending) this.tracker.committed(tracked.pending);
      tracked.pending = undefined;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const tracked = connection as TrackedConnection;
    tracked.pending = undefined;
    await this.inner.rollbackTransaction(tracked.inner);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** `dialect` with every write counted by kind in `tracker` once committed. */
export function trackedDialect(dialect: Dialect, tracker: ChangeTracker): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new TrackedDriver(dialect.createDriver(), tracker),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}
