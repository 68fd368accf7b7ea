import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import { dialectOf } from '../connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not today's type
type AnyDb = Kysely<any>;

// What a variant without options is called, as of this migration (the app's own constant may move on).
const DEFAULT_VARIANT_TITLE = 'Default';

/**
 * Products → options → variants. Stock, price, SKU and serialized units move to the variant;
 * products keep price_cents, stock and serialized as a *summary* of their live variants (lowest
 * price, summed stock, any serialized), written by triggers in the same statement as the variant
 * change, so listing filters and sorts stay single-table and no code path can forget them.
 *
 * Upgrading a store with data: every product gets one default variant carrying its price, stock
 * and serialized flag; its units, cart lines and order lines point at it; order lines read the same
 * (their variant_title is "Default", sku null). Irreversible by design: it moves data (go back by
 * restoring a backup).
 */
export async function up(db: AnyDb): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const table = (name: string): CreateTableBuilder<string, 'id'> =>
    pg
      ? db.schema.createTable(name).addColumn('id', 'serial', (c) => c.primaryKey())
      : db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  const money = pg ? 'bigint' : 'integer';

  await table('product_options')
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    // 1-3: which of a variant's option<N>_value_id columns holds this option's value.
    .addColumn('position', 'integer', (c) => c.notNull().check(sql`position between 1 and 3`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('product_options_name_key', ['product_id', 'name_key'])
    .addUniqueConstraint('product_options_position_key', ['product_id', 'position'])
    .execute();

  await table('product_option_values')
    .addColumn('option_id', 'integer', (c) =>
      c.notNull().references('product_options.id').onDelete('cascade'),
    )
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('value_key', 'text', (c) => c.notNull())
    .addUniqueConstraint('product_option_values_value_key', ['option_id', 'value_key'])
    .execute();

  const optionValue = (n: number) => (t: CreateTableBuilder<string, never>) =>
    t.addColumn(`option${n}_value_id`, 'integer', (c) => c.references('product_option_values.id'));
  await table('product_variants')
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('sku', 'text')
    // lower(sku): SKUs are unique store-wide whatever their case.
    .addColumn('sku_key', 'text', (c) => c.unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .$call(optionValue(1))
    .$call(optionValue(2))
    .$call(optionValue(3))
    // The value ids in option order ("12/40"), "" for the default variant: one live variant per combination.
    .addColumn('option_key', 'text', (c) => c.notNull())
    .addColumn('price_cents', money, (c) => c.notNull().check(sql`price_cents >= 0`))
    // The last line of defence against overselling: no write can take stock below zero.
    .addColumn('stock', 'integer', (c) => c.notNull().defaultTo(0).check(sql`stock >= 0`))
    .addColumn('serialized', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('archived_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('product_variants_product_idx')
    .on('product_variants')
    .columns(['product_id', 'id'])
    .execute();
  await db.schema
    .createIndex('product_variants_combination_key')
    .unique()
    .on('product_variants')
    .columns(['product_id', 'option_key'])
    .where(sql.ref('archived_at'), 'is', null)
    .execute();
  for (const n of [1, 2, 3]) {
    await db.schema
      .createIndex(`product_variants_option${n}_idx`)
      .on('product_variants')
      .column(`option${n}_value_id`)
      .execute();
  }

  // Every product's default variant, carrying what the product carried.
  await db
    .insertInto('product_variants')
    .columns([
      'product_id',
      'title',
      'option_key',
      'price_cents',
      'stock',
      'serialized',
      'archived_at',
      'created_at',
      'updated_at',
    ])
    .expression(
      db
        .selectFrom('products')
        .select([
          'id',
          sql.lit(DEFAULT_VARIANT_TITLE).as('title'),
          sql.lit('').as('option_key'),
          'price_cents',
          'stock',
          'serialized',
          sql.lit(null).as('archived_at'),
          'created_at',
          'updated_at',
        ]),
    )
    .execute();
  const defaultVariant = (alias: string) =>
    sql`(select v.id from product_variants v where v.product_id = ${sql.ref(`${alias}.product_id`)})`;

  await db.schema
    .alterTable('units')
    .addColumn('variant_id', 'integer', (c) => c.references('product_variants.id').onDelete('cascade'))
    .execute();
  await sql`update units set variant_id = ${defaultVariant('units')}`.execute(db);
  await db.schema
    .createIndex('units_variant_status_idx')
    .on('units')
    .columns(['variant_id', 'status', 'id'])
    .execute();

  await db.schema
    .alterTable('order_items')
    .addColumn('variant_id', 'integer', (c) => c.references('product_variants.id').onDelete('restrict'))
    .execute();
  await db.schema.alterTable('order_items').addColumn('sku', 'text').execute();
  await db.schema.alterTable('order_items').addColumn('variant_title', 'text').execute();
  await sql`update order_items set variant_id = ${defaultVariant('order_items')}, variant_title = ${DEFAULT_VARIANT_TITLE}`.execute(
    db,
  );
  await db.schema
    .createIndex('order_items_variant_idx')
    .on('order_items')
    .columns(['variant_id', 'order_id'])
    .execute();

  await migrateCartLines(db, pg);

  if (pg) {
    // SQLite's ALTER TABLE cannot add NOT NULL; every write sets these columns on both databases.
    await sql`alter table units alter column variant_id set not null`.execute(db);
    await sql`alter table order_items alter column variant_id set not null`.execute(db);
    await sql`alter table order_items alter column variant_title set not null`.execute(db);
  }

  await createSummaryTriggers(db, pg);
  // The NOTIFY triggers of the new catalog tables come from syncCatalogTriggers (catalog-tables.ts).
}

/** A cart line is per variant now: (user, variant) is the unique key instead of (user, product). */
async function migrateCartLines(db: AnyDb, pg: boolean): Promise<void> {
  if (pg) {
    await sql`alter table cart_items add column variant_id integer references product_variants(id) on delete cascade`.execute(
      db,
    );
    await sql`update cart_items set variant_id = (select v.id from product_variants v where v.product_id = cart_items.product_id)`.execute(
      db,
    );
    await sql`alter table cart_items alter column variant_id set not null`.execute(db);
    await sql`alter table cart_items drop constraint cart_items_user_product_key`.execute(db);
    await sql`alter table cart_items add constraint cart_items_user_variant_key unique (user_id, variant_id)`.execute(
      db,
    );
  } else {
    // SQLite cannot drop a table constraint: rebuild the table (nothing references cart_items).
    await db.schema
      .createTable('cart_items_next')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id').onDelete('cascade'))
      .addColumn('variant_id', 'integer', (c) =>
        c.notNull().references('product_variants.id').onDelete('cascade'),
      )
      .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('cart_items_user_variant_key', ['user_id', 'variant_id'])
      .execute();
    await sql`insert into cart_items_next (id, user_id, product_id, variant_id, quantity, created_at, updated_at)
      select c.id, c.user_id, c.product_id, v.id, c.quantity, c.created_at, c.updated_at
      from cart_items c join product_variants v on v.product_id = c.product_id`.execute(db);
    await db.schema.dropTable('cart_items').execute();
    await db.schema.alterTable('cart_items_next').renameTo('cart_items').execute();
    await db.schema.createIndex('cart_items_product_idx').on('cart_items').column('product_id').execute();
  }
  await db.schema.createIndex('cart_items_variant_idx').on('cart_items').column('variant_id').execute();
}

/** The product's summary of its live variants, recomputed for one product id (an SQL expression). */
function summaryUpdate(productId: string): string {
  const live = `from product_variants where product_id = ${productId} and archived_at is null`;
  return `update products set
      price_cents = coalesce((select min(price_cents) ${live}), price_cents),
      stock = (select coalesce(sum(stock), 0) ${live}),
      serialized = (select coalesce(max(serialized), 0) ${live})
    where id = ${productId}`;
}

async function createSummaryTriggers(db: AnyDb, pg: boolean): Promise<void> {
  if (pg) {
    // The product row is locked first and the summary read after: a statement that starts after
    // the lock sees every committed sibling change (READ COMMITTED takes a snapshot per statement).
    await sql
      .raw(`create function mercato_product_summary() returns trigger language plpgsql as $$
      declare pid integer;
      begin
        if tg_op = 'DELETE' then pid := old.product_id; else pid := new.product_id; end if;
        perform 1 from products where id = pid for update;
        ${summaryUpdate('pid')};
        return null;
      end $$`)
      .execute(db);
    await sql`create trigger product_variants_summary
      after insert or delete or update of price_cents, stock, serialized, archived_at on product_variants
      for each row execute function mercato_product_summary()`.execute(db);
    return;
  }
  await sql
    .raw(`create trigger product_variants_summary_insert after insert on product_variants begin
      ${summaryUpdate('new.product_id')}; end`)
    .execute(db);
  await sql
    .raw(`create trigger product_variants_summary_update
      after update of price_cents, stock, serialized, archived_at on product_variants begin
      ${summaryUpdate('new.product_id')}; end`)
    .execute(db);
  await sql
    .raw(`create trigger product_variants_summary_delete after delete on product_variants begin
      ${summaryUpdate('old.product_id')}; end`)
    .execute(db);
}
