import { type Insertable, type RawBuilder, sql, type Updateable } from 'kysely';
import type { DialectName } from '../../db/connect.js';
import type { Executor, ProductsTable, Trx } from '../../db/database.js';
import type { Cents } from '../../lib/money.js';
import { currentPriceSql, type OfferWindow, offerActiveSql } from '../../lib/pricing.js';
import type { ProductSort } from './products.schemas.js';
import { searchTerms } from './products.search.js';
import { SKU_PATTERN } from './variants.schemas.js';

const PRODUCT_COLUMNS = [
  'products.id',
  'products.name',
  'products.description',
  'products.price_cents',
  'products.stock',
  'products.category_id',
  'products.offer_id',
  'products.serialized',
  'products.archived_at',
  'products.created_at',
  'products.updated_at',
  'categories.name as category_name',
  'offers.name as offer_name',
  'offers.discount_bp as offer_discount_bp',
  'offers.start_time as offer_start_time',
  'offers.end_time as offer_end_time',
] as const;

function selectProducts(db: Executor) {
  return db
    .selectFrom('products')
    .innerJoin('categories', 'categories.id', 'products.category_id')
    .leftJoin('offers', 'offers.id', 'products.offer_id')
    .select(PRODUCT_COLUMNS);
}

export type ProductRow = Awaited<ReturnType<ReturnType<typeof selectProducts>['executeTakeFirstOrThrow']>>;

/** The offer of a joined row, whatever its window; priceVariant decides whether it applies now. */
export function offerOf(row: {
  offer_id: number | null;
  offer_name: string | null;
  offer_discount_bp: number | null;
  offer_start_time: string | null;
  offer_end_time: string | null;
}): OfferWindow | null {
  if (row.offer_id === null || row.offer_name === null) return null;
  return {
    id: row.offer_id,
    name: row.offer_name,
    discount_bp: row.offer_discount_bp!,
    start_time: row.offer_start_time!,
    end_time: row.offer_end_time!,
  };
}

export const productByIdQuery = (db: Executor, id: number) =>
  selectProducts(db).where('products.id', '=', id);

export const findProductRow = (db: Executor, id: number): Promise<ProductRow | undefined> =>
  productByIdQuery(db, id).executeTakeFirst();

export function findLiveProductRows(db: Executor, ids: readonly number[]): Promise<ProductRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return selectProducts(db)
    .where('products.id', 'in', [...new Set(ids)])
    .where('products.archived_at', 'is', null)
    .execute();
}

export interface ImageRow {
  id: number;
  product_id: number;
  storage_key: string;
  thumbnail_key: string;
}

/** Every image of a page of products in one query, ordered by position (the main image first). */
export function loadImages(db: Executor, productIds: readonly number[]): Promise<ImageRow[]> {
  if (productIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('product_images')
    .innerJoin('media', 'media.id', 'product_images.media_id')
    .select(['product_images.id', 'product_images.product_id', 'media.storage_key', 'media.thumbnail_key'])
    .where('product_images.product_id', 'in', [...new Set(productIds)])
    .orderBy('product_images.product_id')
    .orderBy('product_images.position')
    .execute();
}

export interface ProductFilter {
  categoryId?: number;
  q?: string;
  minPrice?: Cents;
  maxPrice?: Cents;
  inStock?: boolean;
  onOffer?: boolean;
  /** Products with a variant whose SKU is q (found by productsWithSku before the listing). */
  skuProductIds?: number[];
  /** [option name, value] pairs, lower-cased: a live, in-stock variant must match all. */
  options?: Array<[string, string]>;
  sort?: ProductSort;
  limit: number;
  offset: number;
}

/** Listing: live products only, filtered, sorted, one page plus the total, at the instant `now`. */
export async function listProductRows(
  db: Executor,
  dialect: DialectName,
  filter: ProductFilter,
  now: string,
): Promise<{ rows: ProductRow[]; total: number }> {
  const skuProductIds = filter.q === undefined ? [] : await productsWithSku(db, filter.q);
  const { page, count } = productListQueries(db, dialect, { ...filter, skuProductIds }, now);
  const [rows, totalRow] = await Promise.all([page.execute(), count.executeTakeFirstOrThrow()]);
  return { rows, total: Number(totalRow.total) };
}

/** The two queries of a listing, unexecuted (test/catalog-explain.test.ts checks their plans). */
export function productListQueries(db: Executor, dialect: DialectName, filter: ProductFilter, now: string) {
  const terms = filter.q === undefined ? [] : searchTerms(filter.q);
  const skuIds = filter.skuProductIds ?? [];
  const search = terms.length > 0 || skuIds.length > 0 ? searchSql(dialect, terms, skuIds) : undefined;
  const price = currentPriceSql(now);
  const active = offerActiveSql(now);

  let base = db
    .selectFrom('products')
    .leftJoin('offers', 'offers.id', 'products.offer_id')
    .where('products.archived_at', 'is', null);
  if (filter.categoryId !== undefined) base = base.where('products.category_id', '=', filter.categoryId);
  if (search) base = base.where(search.matches);
  if (filter.minPrice !== undefined) base = base.where(sql<boolean>`${price} >= ${filter.minPrice}`);
  if (filter.maxPrice !== undefined) base = base.where(sql<boolean>`${price} <= ${filter.maxPrice}`);
  if (filter.inStock !== undefined) base = base.where('products.stock', filter.inStock ? '>' : '=', 0);
  if (filter.onOffer !== undefined) base = base.where(filter.onOffer ? active : sql<boolean>`not ${active}`);
  if (filter.options && filter.options.length > 0) base = base.where(variantMatching(filter.options));

  let page = base.innerJoin('categories', 'categories.id', 'products.category_id').select(PRODUCT_COLUMNS);
  switch (filter.sort ?? (search ? 'relevance' : 'id')) {
    case 'price':
      page = page.orderBy(sql`${price} asc`).orderBy('products.id', 'asc');
      break;
    case '-price':
      page = page.orderBy(sql`${price} desc`).orderBy('products.id', 'asc');
      break;
    case 'name':
      page = page.orderBy('products.name', 'asc').orderBy('products.id', 'asc');
      break;
    case '-name':
      page = page.orderBy('products.name', 'desc').orderBy('products.id', 'desc');
      break;
    case 'newest':
      page = page.orderBy('products.created_at', 'desc').orderBy('products.id', 'desc');
      break;
    case 'relevance':
      for (const order of search!.ranking) page = page.orderBy(order);
      page = page.orderBy('products.id', 'asc');
      break;
    default:
      page = page.orderBy('products.id', 'asc');
  }
  return {
    page: page.limit(filter.limit).offset(filter.offset),
    count: base.select((eb) => eb.fn.countAll<number>().as('total')),
  };
}

const SKU = new RegExp(SKU_PATTERN);

/**
 * The products of the variants whose SKU is q (any case): looked up first, by the unique index,
 * so that the listing adds `id in (...)` beside its full-text match (both indexable) only when a
 * SKU matched, and its plan is unchanged otherwise.
 */
export async function productsWithSku(db: Executor, q: string): Promise<number[]> {
  const sku = q.trim();
  if (!SKU.test(sku)) return [];
  const rows = await db
    .selectFrom('product_variants')
    .select('product_id')
    .where('sku_key', '=', sku.toLowerCase())
    .execute();
  return rows.map((r) => r.product_id);
}

/**
 * Full-text search, the one place the dialects differ: SQLite's FTS5 table products_fts and
 * PostgreSQL's generated tsvector column products.search (migration 0002). Every term must match
 * (as a prefix, so "head" finds "headphones"); products whose *name* holds every term come first,
 * then by text rank (BM25 with the name weighted 10:1 on SQLite, ts_rank with name weight A on PostgreSQL).
 * The products of a SKU equal to q (skuIds) match too, ranked first.
 */
function searchSql(dialect: DialectName, terms: string[], skuIds: number[]) {
  const bySku = skuIds.length > 0 ? sql<boolean>`products.id in (${sql.join(skuIds)})` : undefined;
  const either = (text: RawBuilder<boolean>) => (bySku ? sql<boolean>`(${text} or ${bySku})` : text);
  const skuFirst = bySku ? [sql`${bySku} desc`] : [];
  if (terms.length === 0) return { matches: bySku!, ranking: [] };
  if (dialect === 'sqlite') {
    const all = terms.map((t) => `"${t}"*`).join(' ');
    const inName = `{name} : (${all})`;
    return {
      matches: either(
        sql<boolean>`products.id in (select rowid from products_fts where products_fts match ${all})`,
      ),
      ranking: [
        ...skuFirst,
        sql`products.id in (select rowid from products_fts where products_fts match ${inName}) desc`,
        sql`(select bm25(products_fts, 10.0, 1.0) from products_fts where products_fts match ${all} and products_fts.rowid = products.id) asc`,
      ],
    };
  }
  const query = sql`to_tsquery('simple', ${terms.map((t) => `${t}:*`).join(' & ')})`;
  return {
    matches: either(sql<boolean>`products.search @@ ${query}`),
    ranking: [
      ...skuFirst,
      sql`(to_tsvector('simple', products.name) @@ ${query}) desc`,
      sql`ts_rank(products.search, ${query}) desc`,
    ],
  };
}

/** A live, in-stock variant of the product has every [option name, value] given (lower-cased). */
function variantMatching(options: Array<[string, string]>) {
  const each = options.map(
    ([name, value]) => sql`exists (select 1 from product_option_values ov
      join product_options o on o.id = ov.option_id
      where o.product_id = products.id and o.name_key = ${name} and ov.value_key = ${value}
        and ov.id in (v.option1_value_id, v.option2_value_id, v.option3_value_id))`,
  );
  return sql<boolean>`exists (select 1 from product_variants v
    where v.product_id = products.id and v.archived_at is null and v.stock > 0
      and ${sql.join(each, sql` and `)})`;
}

export const categoryExists = async (db: Executor, id: number) =>
  (await db.selectFrom('categories').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

export const offerExists = async (db: Executor, id: number) =>
  (await db.selectFrom('offers').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

export const isInOrders = async (db: Executor, productId: number) =>
  (await db
    .selectFrom('order_items')
    .select('id')
    .where('product_id', '=', productId)
    .limit(1)
    .executeTakeFirst()) !== undefined;

/** Media of a product's images, for removing their rows and files with the product. */
export const productMedia = (db: Executor, productId: number) =>
  db
    .selectFrom('product_images')
    .innerJoin('media', 'media.id', 'product_images.media_id')
    .select(['media.id', 'media.storage_key', 'media.thumbnail_key'])
    .where('product_images.product_id', '=', productId)
    .execute();

export async function insertProduct(trx: Trx, values: Insertable<ProductsTable>): Promise<number> {
  const row = await trx.insertInto('products').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The product row, locked on PostgreSQL (SQLite's write transactions are serialized already): a
 * units batch, a variant change or an image upload of the same product waits for this one.
 */
export const lockProduct = (trx: Trx, id: number, forUpdate: boolean) =>
  trx
    .selectFrom('products')
    .select(['id', 'archived_at'])
    .where('id', '=', id)
    .$if(forUpdate, (qb) => qb.forUpdate())
    .executeTakeFirst();

/** Locks products in id order (PostgreSQL), the order every checkout and cancellation takes them in. */
export async function lockProducts(trx: Trx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .selectFrom('products')
    .select('id')
    .where('id', 'in', [...new Set(ids)])
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Name, description, category and offer: price, stock and serialized follow the variants. */
export const updateProductRow = (trx: Trx, id: number, changes: Updateable<ProductsTable>) =>
  trx.updateTable('products').set(changes).where('id', '=', id).execute();

export const archiveProduct = (trx: Trx, id: number, now: string) =>
  trx
    .updateTable('products')
    .set({ archived_at: now, updated_at: now })
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .executeTakeFirst();

/** Deletes the product; its options, variants, images and units go with it (foreign keys). */
export const deleteProductRow = (trx: Trx, id: number) =>
  trx.deleteFrom('products').where('id', '=', id).execute();
