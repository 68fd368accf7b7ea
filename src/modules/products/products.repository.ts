import { sql } from 'kysely';
import type { DialectName } from '../../db/connect.js';
import type { Executor } from '../../db/database.js';
import type { Cents } from '../../lib/money.js';
import { currentPriceSql, type OfferWindow, offerActiveSql } from '../../lib/pricing.js';
import type { ProductSort } from './products.schemas.js';
import { searchTerms } from './products.search.js';

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

/** The offer of a joined row, whatever its window; priceProduct decides whether it applies now. */
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

export interface PricingRow {
  id: number;
  name: string;
  price_cents: Cents;
  stock: number;
  serialized: boolean;
  archived_at: string | null;
  offer: OfferWindow | null;
}

/**
 * What checkout and cart need to price products through priceProduct, archived ones included
 * (the caller decides what an archived product means for it). One query for any number of ids.
 */
export async function loadPricingRows(db: Executor, ids: readonly number[]): Promise<PricingRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('products')
    .leftJoin('offers', 'offers.id', 'products.offer_id')
    .select([
      'products.id',
      'products.name',
      'products.price_cents',
      'products.stock',
      'products.serialized',
      'products.archived_at',
      'products.offer_id',
      'offers.name as offer_name',
      'offers.discount_bp as offer_discount_bp',
      'offers.start_time as offer_start_time',
      'offers.end_time as offer_end_time',
    ])
    .where('products.id', 'in', [...new Set(ids)])
    .orderBy('products.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    price_cents: row.price_cents,
    stock: row.stock,
    serialized: row.serialized === 1,
    archived_at: row.archived_at,
    offer: offerOf(row),
  }));
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
  const { page, count } = productListQueries(db, dialect, filter, now);
  const [rows, totalRow] = await Promise.all([page.execute(), count.executeTakeFirstOrThrow()]);
  return { rows, total: Number(totalRow.total) };
}

/** The two queries of a listing, unexecuted (test/catalog-explain.test.ts checks their plans). */
export function productListQueries(db: Executor, dialect: DialectName, filter: ProductFilter, now: string) {
  const terms = filter.q === undefined ? [] : searchTerms(filter.q);
  const search = terms.length > 0 ? searchSql(dialect, terms) : undefined;
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

/**
 * Full-text search, the one place the dialects differ: SQLite's FTS5 table products_fts and
 * PostgreSQL's generated tsvector column products.search (migration 0002). Every term must match
 * (as a prefix, so "head" finds "headphones"); products whose *name* holds every term come first,
 * then by text rank (BM25 with the name weighted 10:1 on SQLite, ts_rank with name weight A on PostgreSQL).
 */
function searchSql(dialect: DialectName, terms: string[]) {
  if (dialect === 'sqlite') {
    const all = terms.map((t) => `"${t}"*`).join(' ');
    const inName = `{name} : (${all})`;
    return {
      matches: sql<boolean>`products.id in (select rowid from products_fts where products_fts match ${all})`,
      ranking: [
        sql`products.id in (select rowid from products_fts where products_fts match ${inName}) desc`,
        sql`(select bm25(products_fts, 10.0, 1.0) from products_fts where products_fts match ${all} and products_fts.rowid = products.id) asc`,
      ],
    };
  }
  const query = sql`to_tsquery('simple', ${terms.map((t) => `${t}:*`).join(' & ')})`;
  return {
    matches: sql<boolean>`products.search @@ ${query}`,
    ranking: [
      sql`(to_tsvector('simple', products.name) @@ ${query}) desc`,
      sql`ts_rank(products.search, ${query}) desc`,
    ],
  };
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
