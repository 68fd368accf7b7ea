import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

export interface RankedProduct {
  product_id: number;
  /** Orders pairing it with the product (bought together) or units sold (best sellers). */
  score: number;
}

/**
 * How many of a product's most recent non-cancelled orders "bought together" counts. A best seller
 * can be in a tenth of all orders; the window keeps its page as cheap as any other's (the pairs
 * of 2,000 orders rank well) and follows what customers buy now.
 */
export const PAIRING_WINDOW = 2_000;

/**
 * Products that share the product's recent non-cancelled orders, by how many orders pair them,
 * ties by id; only buyable ones (live, in stock). Walks order_items(product_id, order_id)
 * backwards for the window, then order_items(order_id) for the other lines of those orders.
 */
export function boughtTogether(
  db: Executor,
  productId: number,
  limit: number,
  window = PAIRING_WINDOW,
): Promise<RankedProduct[]> {
  const recent = db
    .selectFrom('order_items as oi')
    .innerJoin('orders as o', 'o.id', 'oi.order_id')
    .where('oi.product_id', '=', productId)
    .where('o.status', '!=', 'cancelled')
    .select('oi.order_id')
    .orderBy('oi.order_id', 'desc')
    .limit(window);
  return db
    .selectFrom(recent.as('mine'))
    .innerJoin('order_items as other', 'other.order_id', 'mine.order_id')
    .innerJoin('products as p', 'p.id', 'other.product_id')
    .where('other.product_id', '!=', productId)
    .where('p.archived_at', 'is', null)
    .where('p.stock', '>', 0)
    .select((eb) => ['other.product_id', eb.fn.count<number>('other.order_id').distinct().as('score')])
    .groupBy('other.product_id')
    .orderBy('score', 'desc')
    .orderBy('other.product_id')
    .limit(limit)
    .execute()
    .then((rows) => rows.map((row) => ({ product_id: row.product_id, score: Number(row.score) })));
}

/**
 * A category's live products by units sold in non-cancelled orders, best first, never-sold ones
 * (0) last, ties by id; at most `limit`. Stock is not checked here: callers cache this ranking
 * and check stock when they use it (buyableAmong).
 */
export async function categorySales(
  db: Executor,
  categoryId: number,
  limit: number,
): Promise<RankedProduct[]> {
  const rows = await db
    .selectFrom('products as p')
    .where('p.category_id', '=', categoryId)
    .where('p.archived_at', 'is', null)
    .select((eb) => [
      'p.id as product_id',
      eb
        .selectFrom('order_items as oi')
        .innerJoin('orders as o', 'o.id', 'oi.order_id')
        .whereRef('oi.product_id', '=', 'p.id')
        .where('o.status', '!=', 'cancelled')
        .select(sql<number>`coalesce(sum(oi.quantity), 0)`.as('sold'))
        .$asScalar()
        .as('score'),
    ])
    .orderBy('score', 'desc')
    .orderBy('p.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ product_id: row.product_id, score: Number(row.score ?? 0) }));
}

/** Which of these products a customer can buy right now (live and in stock). */
export async function buyableAmong(db: Executor, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('products')
    .select('id')
    .where('id', 'in', ids)
    .where('archived_at', 'is', null)
    .where('stock', '>', 0)
    .execute();
  return new Set(rows.map((row) => row.id));
}

export type InventorySort = 'days_of_cover' | '-days_of_cover' | 'id';

export interface InventoryFilter {
  since: string;
  until: string;
  lowStockThreshold: number;
  /** Days of cover = stock / (sold / windowDays); below minDaysOfCover means reorder. */
  windowDays: number;
  minDaysOfCover: number;
  reorderOnly: boolean;
  categoryId: number | undefined;
  /** Only these variants' rows (inventory.low_stock events). */
  variantIds?: readonly number[];
  sort: InventorySort;
  limit: number;
  offset: number;
}

export interface InventoryRow {
  variant_id: number;
  sku: string | null;
  variant_title: string;
  product_id: number;
  name: string;
  category_id: number;
  stock: number;
  sold: number;
  reorder: number;
}

/**
 * Stock and units sold in [since, until] per live variant of a live product. The window uses orders(created_at);
 * the reorder rule and the days-of-cover order are integer/SQL arithmetic, so filtering, sorting
 * and paging happen in the database: stock / (sold / window) < min  ⇔  stock × window < min × sold.
 */
export async function inventoryPage(db: Executor, f: InventoryFilter) {
  const sales = db
    .selectFrom('order_items as oi')
    .innerJoin('orders as o', 'o.id', 'oi.order_id')
    .where('o.status', '!=', 'cancelled')
    .where('o.created_at', '>=', f.since)
    .where('o.created_at', '<=', f.until)
    .select((eb) => ['oi.variant_id', eb.fn.sum<number>('oi.quantity').as('sold')])
    .groupBy('oi.variant_id');
  const sold = sql<number>`coalesce(s.sold, 0)`;
  const reorder = sql<number>`(case when v.stock < ${f.lowStockThreshold} or v.stock * ${f.windowDays} < ${f.minDaysOfCover} * ${sold} then 1 else 0 end)`;
  const live = db
    .selectFrom('product_variants as v')
    .innerJoin('products as p', 'p.id', 'v.product_id')
    .where('v.archived_at', 'is', null)
    .where('p.archived_at', 'is', null)
    .$if(f.categoryId !== undefined, (qb) => qb.where('p.category_id', '=', f.categoryId!))
    .$if(f.variantIds !== undefined, (qb) => qb.where('v.id', 'in', [...f.variantIds!]));
  const base = live
    .leftJoin(sales.as('s'), 's.variant_id', 'v.id')
    .$if(f.reorderOnly, (qb) => qb.where(sql<boolean>`${reorder} = 1`));

  // "Nothing sold" is an infinite cover: last going up, first going down, on both databases.
  const neverSold = sql`(case when ${sold} = 0 then 1 else 0 end)`;
  const cover = sql`(v.stock * 1.0 / nullif(${sold}, 0))`; // same order as stock × window / sold
  let page = base
    .select([
      'v.id as variant_id',
      'v.sku',
      'v.title as variant_title',
      'p.id as product_id',
      'p.name',
      'p.category_id',
      'v.stock',
    ])
    .select([sold.as('sold'), reorder.as('reorder')]);
  if (f.sort === 'days_of_cover') page = page.orderBy(neverSold, 'asc').orderBy(cover, 'asc');
  if (f.sort === '-days_of_cover') page = page.orderBy(neverSold, 'desc').orderBy(cover, 'desc');

  const [items, count] = await Promise.all([
    page.orderBy('p.id').orderBy('v.id').limit(f.limit).offset(f.offset).execute(),
    // Without the reorder filter the total needs no sales: skip aggregating them a second time.
    (f.reorderOnly ? base : live)
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    items: items.map(
      (row): InventoryRow => ({ ...row, sold: Number(row.sold), reorder: Number(row.reorder) }),
    ),
    total: Number(count.total),
  };
}
