import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not today's type
type AnyDb = Kysely<any>;

/**
 * Full-text search over products(name, description), kept in step with every write by the
 * database itself (triggers on SQLite, a generated column on PostgreSQL), so no code path can
 * forget to update it. Plus an index for the in_stock filter.
 */
export async function up(db: AnyDb): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    // Weight A for the name, B for the description: ts_rank ranks name matches higher.
    await sql`alter table products add column search tsvector generated always as (
      setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', description), 'B')
    ) stored`.execute(db);
    await sql`create index products_search_idx on products using gin (search)`.execute(db);
  } else {
    // External content: the text lives once, in products; FTS5 keeps only the index.
    await sql`create virtual table products_fts using fts5(
      name, description, content='products', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )`.execute(db);
    await sql`create trigger products_fts_insert after insert on products begin
      insert into products_fts(rowid, name, description) values (new.id, new.name, new.description);
    end`.execute(db);
    await sql`create trigger products_fts_delete after delete on products begin
      insert into products_fts(products_fts, rowid, name, description) values ('delete', old.id, old.name, old.description);
    end`.execute(db);
    await sql`create trigger products_fts_update after update of name, description on products begin
      insert into products_fts(products_fts, rowid, name, description) values ('delete', old.id, old.name, old.description);
      insert into products_fts(rowid, name, description) values (new.id, new.name, new.description);
    end`.execute(db);
    await sql`insert into products_fts(products_fts) values ('rebuild')`.execute(db);
  }
  await db.schema.createIndex('products_stock_idx').on('products').columns(['stock', 'id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('products_stock_idx').ifExists().execute();
  if (dialectOf(db) === 'postgres') {
    await sql`alter table products drop column if exists search`.execute(db);
  } else {
    for (const name of ['products_fts_insert', 'products_fts_delete', 'products_fts_update']) {
      await sql`drop trigger if exists ${sql.ref(name)}`.execute(db);
    }
    await sql`drop table if exists products_fts`.execute(db);
  }
}
