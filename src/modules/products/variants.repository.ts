import { type ExpressionBuilder, type Insertable, sql, type Updateable } from 'kysely';
import type { Database, Executor, ProductVariantsTable, Trx } from '../../db/database.js';
import type { OfferWindow } from '../../lib/pricing.js';
import { offerOf } from './products.repository.js';

/** The SQL of product_options, product_option_values and product_variants (owned by products). */

export interface OptionValueRow {
  option_id: number;
  product_id: number;
  name: string;
  position: number;
  value_id: number | null;
  value: string | null;
}

/** The options of some products with their values, in option position then value order. */
export function loadOptionRows(db: Executor, productIds: readonly number[]): Promise<OptionValueRow[]> {
  if (productIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('product_options as o')
    .leftJoin('product_option_values as v', 'v.option_id', 'o.id')
    .select(['o.id as option_id', 'o.product_id', 'o.name', 'o.position', 'v.id as value_id', 'v.value'])
    .where('o.product_id', 'in', [...new Set(productIds)])
    .orderBy('o.product_id')
    .orderBy('o.position')
    .orderBy('v.id')
    .execute();
}

export async function insertOption(
  trx: Trx,
  productId: number,
  name: string,
  position: number,
  now: string,
): Promise<number> {
  const row = await trx
    .insertInto('product_options')
    .values({ product_id: productId, name, name_key: name.toLowerCase(), position, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertOptionValues(
  trx: Trx,
  optionId: number,
  values: readonly string[],
): Promise<Array<{ id: number; value: string }>> {
  if (values.length === 0) return [];
  return trx
    .insertInto('product_option_values')
    .values(values.map((value) => ({ option_id: optionId, value, value_key: value.toLowerCase() })))
    .returning(['id', 'value'])
    .execute();
}

export const renameOption = (trx: Trx, optionId: number, name: string) =>
  trx
    .updateTable('product_options')
    .set({ name, name_key: name.toLowerCase() })
    .where('id', '=', optionId)
    .execute();

const VARIANT_COLUMNS = [
  'product_variants.id',
  'product_variants.product_id',
  'product_variants.sku',
  'product_variants.title',
  'product_variants.option1_value_id',
  'product_variants.option2_value_id',
  'product_variants.option3_value_id',
  'product_variants.option_key',
  'product_variants.price_cents',
  'product_variants.stock',
  'product_variants.serialized',
  'product_variants.archived_at',
] as const;

export type VariantRow = Pick<
  ProductVariantsTable,
  | 'product_id'
  | 'sku'
  | 'title'
  | 'option1_value_id'
  | 'option2_value_id'
  | 'option3_value_id'
  | 'option_key'
  | 'price_cents'
  | 'archived_at'
> & { id: number; stock: number; serialized: number };

/** The variants of some products, oldest first; archived ones only when asked for. */
export function loadVariantRows(
  db: Executor,
  productIds: readonly number[],
  withArchived = false,
): Promise<VariantRow[]> {
  if (productIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('product_variants')
    .select(VARIANT_COLUMNS)
    .where('product_id', 'in', [...new Set(productIds)])
    .$if(!withArchived, (qb) => qb.where('archived_at', 'is', null))
    .orderBy('product_id')
    .orderBy('id')
    .execute();
}

export const findVariantRow = (db: Executor, id: number): Promise<VariantRow | undefined> =>
  db.selectFrom('product_variants').select(VARIANT_COLUMNS).where('id', '=', id).executeTakeFirst();

export type NewVariantRow = Omit<Insertable<ProductVariantsTable>, 'id'>;

export async function insertVariants(trx: Trx, rows: readonly NewVariantRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await trx
    .insertInto('product_variants')
    .values([...rows])
    .returning('id')
    .execute();
  return inserted.map((r) => r.id);
}

export const updateVariantRow = (trx: Trx, id: number, changes: Updateable<ProductVariantsTable>) =>
  trx.updateTable('product_variants').set(changes).where('id', '=', id).execute();

export const deleteVariantRow = (trx: Trx, id: number) =>
  trx.deleteFrom('product_variants').where('id', '=', id).execute();

/** SKUs (lower-cased keys) already used by another variant, for a 409 that names them. */
export async function takenSkus(db: Executor, keys: readonly string[], exceptId?: number): Promise<string[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('product_variants')
    .select('sku')
    .where('sku_key', 'in', [...keys])
    .$if(exceptId !== undefined, (qb) => qb.where('id', '!=', exceptId!))
    .execute();
  return rows.map((r) => r.sku ?? '');
}

export const variantInOrders = async (db: Executor, variantId: number) =>
  (await db
    .selectFrom('order_items')
    .select('id')
    .where('variant_id', '=', variantId)
    .limit(1)
    .executeTakeFirst()) !== undefined;

export interface VariantPricingRow {
  variant_id: number;
  product_id: number;
  name: string;
  sku: string | null;
  title: string;
  price_cents: number;
  stock: number;
  serialized: boolean;
  /** The variant or its product is withdrawn. */
  archived: boolean;
  offer: OfferWindow | null;
}

/**
 * What cart and checkout need to price variants through priceVariant, archived ones included (the
 * caller decides what withdrawn means for it). One query for any number of ids.
 */
export async function loadVariantPricingRows(
  db: Executor,
  variantIds: readonly number[],
): Promise<Map<number, VariantPricingRow>> {
  const rows = await pricingRows(db, 'v.id', variantIds);
  return new Map(rows.map((row) => [row.variant_id, row]));
}

/** The pricing rows of every variant (archived ones included) of these products, in variant id order. */
export const loadPricingRowsOfProducts = (
  db: Executor,
  productIds: readonly number[],
): Promise<VariantPricingRow[]> => pricingRows(db, 'v.product_id', productIds);

/** The stock of every variant (archived ones included) of these products, by variant id. */
export async function loadStockOfProducts(
  db: Executor,
  productIds: readonly number[],
): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('product_variants')
    .select(['id', 'stock'])
    .where('product_id', 'in', [...new Set(productIds)])
    .execute();
  return new Map(rows.map((row) => [row.id, row.stock]));
}

async function pricingRows(
  db: Executor,
  by: 'v.id' | 'v.product_id',
  ids: readonly number[],
): Promise<VariantPricingRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('product_variants as v')
    .innerJoin('products', 'products.id', 'v.product_id')
    .leftJoin('offers', 'offers.id', 'products.offer_id')
    .select([
      'v.id as variant_id',
      'v.product_id',
      'products.name',
      'v.sku',
      'v.title',
      'v.price_cents',
      'v.stock',
      'v.serialized',
      'v.archived_at',
      'products.archived_at as product_archived_at',
      'products.offer_id',
      'offers.name as offer_name',
      'offers.discount_bp as offer_discount_bp',
      'offers.start_time as offer_start_time',
      'offers.end_time as offer_end_time',
    ])
    .where(by, 'in', [...new Set(ids)])
    .orderBy('v.id')
    .execute();
  return rows.map((row) => ({
    variant_id: row.variant_id,
    product_id: row.product_id,
    name: row.name,
    sku: row.sku,
    title: row.title,
    price_cents: row.price_cents,
    stock: row.stock,
    serialized: row.serialized === 1,
    archived: row.archived_at !== null || row.product_archived_at !== null,
    offer: offerOf(row),
  }));
}

/**
 * Takes the stock of several variants (each at most once), all or nothing per variant, in one
 * statement: a variant is taken only if it has enough stock and it and its product are live, and
 * the row lock (PostgreSQL) or the write lock (SQLite) makes each check and decrement indivisible.
 * Returns the stock left of each variant taken; a variant missing from the map was short. (The
 * products' summaries follow by trigger.) The caller holds its products' locks (PostgreSQL), so
 * the variant rows may be locked in any order here.
 * A sale is not an edit of the variant: updated_at stays, so a declined checkout that puts the
 * stock back leaves the variant exactly as it was.
 */
export async function takeVariantsStock(
  trx: Trx,
  lines: readonly { variantId: number; quantity: number }[],
): Promise<Map<number, number>> {
  if (lines.length === 0) return new Map();
  // CASE id WHEN … THEN quantity: typed, or PostgreSQL would read the bare parameters as text.
  const quantityOf = (eb: ExpressionBuilder<Database, 'product_variants'>) => {
    const [first, ...rest] = lines as [(typeof lines)[number], ...typeof lines];
    let cases = eb
      .case('id')
      .when(first.variantId)
      .then(eb.cast<number>(eb.val(first.quantity), 'integer'));
    for (const line of rest)
      cases = cases.when(line.variantId).then(eb.cast<number>(eb.val(line.quantity), 'integer'));
    return cases.end();
  };
  const rows = await trx
    .updateTable('product_variants')
    .set((eb) => ({ stock: eb('stock', '-', quantityOf(eb)) }))
    .where(
      'id',
      'in',
      lines.map((l) => l.variantId),
    )
    .where((eb) => eb('stock', '>=', quantityOf(eb)))
    .where('archived_at', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('products')
          .select('products.id')
          .whereRef('products.id', '=', 'product_variants.product_id')
          .where('products.archived_at', 'is', null),
      ),
    )
    .returning(['id', 'stock'])
    .execute();
  return new Map(rows.map((r) => [r.id, r.stock]));
}

export async function returnVariantStock(trx: Trx, variantId: number, quantity: number): Promise<void> {
  await trx
    .updateTable('product_variants')
    .set((eb) => ({ stock: eb('stock', '+', quantity) }))
    .where('id', '=', variantId)
    .execute();
}

/** A serialized variant's stock is its available units: recomputed in the transaction that changes them. */
export const syncSerializedStock = (trx: Trx, variantId: number, now: string) =>
  trx
    .updateTable('product_variants')
    .set((eb) => ({
      serialized: 1,
      stock: eb
        .selectFrom('units')
        .select(eb.fn.countAll<number>().as('n'))
        .where('units.variant_id', '=', variantId)
        .where('units.status', '=', 'available'),
      updated_at: now,
    }))
    .where('id', '=', variantId)
    .execute();

/**
 * A default variant for each of these products that has none yet, carrying the product's price,
 * stock and serialized flag: for writers of whole catalogs (the demo seed, fixtures) that insert
 * product rows in bulk. Returns variant ids by product id.
 */
export async function insertDefaultVariants(
  db: Executor,
  productIds: readonly number[],
  title: string,
): Promise<Map<number, number>> {
  if (productIds.length === 0) return new Map();
  const ids = [...new Set(productIds)];
  await db
    .insertInto('product_variants')
    .columns([
      'product_id',
      'title',
      'option_key',
      'price_cents',
      'stock',
      'serialized',
      'created_at',
      'updated_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom('products')
        .select([
          'id',
          sql.lit(title).as('title'),
          sql.lit('').as('option_key'),
          'price_cents',
          'stock',
          'serialized',
          'created_at',
          'updated_at',
        ])
        .where('id', 'in', ids)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('product_variants')
                .select('product_variants.id')
                .whereRef('product_variants.product_id', '=', 'products.id'),
            ),
          ),
        ),
    )
    .execute();
  const rows = await db
    .selectFrom('product_variants')
    .select(['id', 'product_id'])
    .where('product_id', 'in', ids)
    .where('option_key', '=', '')
    .execute();
  return new Map(rows.map((r) => [r.product_id, r.id]));
}
