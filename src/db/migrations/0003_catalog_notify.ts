import { type Kysely, sql } from 'kysely';
import { CATALOG_CHANNEL } from '../catalog-tables.js';
import { dialectOf } from '../connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not today's type
type AnyDb = Kysely<any>;

// As it was when this migration was written; syncCatalogTriggers (run after every migration) keeps
// the triggers equal to CATALOG_TABLES from then on.
const CATALOG_TABLES = [
  'products',
  'categories',
  'offers',
  'media',
  'product_images',
  'units',
  'orders',
  'order_items',
];

/**
 * PostgreSQL tells every app process when a catalog table changes: NOTIFY is delivered on commit
 * only, so a listener never hears of a change it cannot yet read. (SQLite needs nothing: readers
 * check PRAGMA data_version.)
 */
export async function up(db: AnyDb): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`create function mercato_notify_catalog() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(CATALOG_CHANNEL)}, '');
      return null;
    end $$`.execute(db);
  for (const table of CATALOG_TABLES) {
    await sql`create trigger ${sql.ref(`${table}_notify_catalog`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function mercato_notify_catalog()`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  for (const table of CATALOG_TABLES) {
    await sql`drop trigger if exists ${sql.ref(`${table}_notify_catalog`)} on ${sql.table(table)}`.execute(
      db,
    );
  }
  await sql`drop function if exists mercato_notify_catalog()`.execute(db);
}
