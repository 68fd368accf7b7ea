import { sql } from 'kysely';
import type { Database, Db } from '../../db/database.js';

/**
 * Whether a write to a table can change what the public catalog shows (prices, stock, images,
 * categories, best sellers — which follow orders) or what an order shows (OrdersService's kept
 * answers). The one list the catalog cache is driven by: the change tracker counts writes to
 * these tables in this process, and PostgreSQL NOTIFY triggers sit on exactly these
 * (syncCatalogTriggers) to tell the other processes. Typed over every table
 * of Database, so a new table does not compile until it is classified here.
 */
const SHAPES_CATALOG: Record<keyof Database, boolean> = {
  products: true,
  product_options: true,
  product_option_values: true,
  product_variants: true,
  categories: true,
  offers: true,
  media: true,
  product_images: true,
  units: true,
  orders: true,
  order_items: true,
  users: false,
  refresh_tokens: false,
  cart_items: false,
  idempotency_keys: false,
  // What an order's answer shows besides `orders` and `order_items` (its payments, their ledger,
  // its shipments): the signed-in order answers kept in memory follow the same version.
  payments: true,
  payment_events: true,
  refunds: true,
  shipments: true,
  payment_webhook_events: false,
  order_events: false,
  events: false,
  webhook_endpoints: false,
  webhook_subscriptions: false,
  webhook_deliveries: false,
};

export const CATALOG_TABLES: ReadonlySet<string> = new Set(
  Object.entries(SHAPES_CATALOG)
    .filter(([, shapes]) => shapes)
    .map(([table]) => table),
);

/**
 * The catalog tables a product's own JSON and a cart's pricing rows are read from: what the
 * products service's in-memory product copies follow (not orders, payments or shipments).
 */
export const PRODUCT_TABLES: ReadonlySet<string> = new Set([
  'products',
  'product_options',
  'product_option_values',
  'product_variants',
  'categories',
  'offers',
  'media',
  'product_images',
] satisfies (keyof Database)[]);

export const CATALOG_CHANNEL = 'mercato_catalog';
const TRIGGER_SUFFIX = '_notify_catalog';

/**
 * PostgreSQL only: one statement-level trigger per catalog table NOTIFYs on commit (a listener
 * never hears of a change it cannot yet read), and no trigger on any other table. Run after the
 * migrations, under their lock, so the triggers always match CATALOG_TABLES; changes nothing when
 * they already do. (SQLite needs nothing: readers check PRAGMA data_version.)
 */
export async function syncCatalogTriggers(db: Db): Promise<void> {
  await sql`create or replace function mercato_notify_catalog() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(CATALOG_CHANNEL)}, '');
      return null;
    end $$`.execute(db);
  const { rows } = await sql<{ table: string; trigger: string }>`
    select c.relname as "table", t.tgname as "trigger"
    from pg_trigger t join pg_class c on c.oid = t.tgrelid
    where c.relnamespace = current_schema()::regnamespace and t.tgname like ${`%${TRIGGER_SUFFIX}`}`.execute(
    db,
  );
  for (const { table, trigger } of rows) {
    if (!CATALOG_TABLES.has(table))
      await sql`drop trigger ${sql.ref(trigger)} on ${sql.table(table)}`.execute(db);
  }
  const present = new Set(rows.map((row) => row.table));
  for (const table of CATALOG_TABLES) {
    if (present.has(table)) continue;
    await sql`create trigger ${sql.ref(`${table}${TRIGGER_SUFFIX}`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function mercato_notify_catalog()`.execute(db);
  }
}
