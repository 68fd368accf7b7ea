import { type ExpressionBuilder, sql } from 'kysely';
import type { Database, Executor } from '../../db/database.js';

/** A half-open window of instants, [start, end), as stored (ISO 8601 UTC text compares in order). */
export interface InstantRange {
  start: string;
  end: string;
}

export interface DailySales {
  day: string;
  orders: number;
  revenue_cents: number;
  units: number;
}

export interface ProductSales {
  product_id: number;
  name: string;
  units: number;
  revenue_cents: number;
}

/**
 * The orders a sales report counts: placed in the range and not cancelled. Every order of this
 * schema was paid at checkout (there is no payment state yet), so "money was captured" is every
 * order that was not cancelled, and its revenue is its total.
 */
function countedOrders(eb: ExpressionBuilder<Database, 'orders'>, range: InstantRange) {
  return eb.and([
    eb('orders.created_at', '>=', range.start),
    eb('orders.created_at', '<', range.end),
    eb('orders.status', '!=', 'cancelled'),
  ]);
}

/**
 * Orders, revenue and units per UTC day of the range; days without orders are absent. Stored
 * instants are `YYYY-MM-DDTHH:MM:SS.sssZ` text, so the day is their first ten characters on both
 * databases. Walks orders(created_at), then order_items(order_id) per order.
 */
export async function dailySales(db: Executor, range: InstantRange): Promise<DailySales[]> {
  const perOrder = db
    .selectFrom('orders')
    .where((eb) => countedOrders(eb, range))
    .select((eb) => [
      sql<string>`substr(orders.created_at, 1, 10)`.as('day'),
      'orders.total_cents',
      eb
        .selectFrom('order_items')
        .whereRef('order_items.order_id', '=', 'orders.id')
        .select(sql<number>`coalesce(sum(order_items.quantity), 0)`.as('units'))
        .$asScalar()
        .as('units'),
    ]);
  const rows = await db
    .selectFrom(perOrder.as('o'))
    .select((eb) => [
      'o.day',
      eb.fn.countAll<number | string>().as('orders'),
      eb.fn.sum<number | string>('o.total_cents').as('revenue_cents'),
      eb.fn.sum<number | string>('o.units').as('units'),
    ])
    .groupBy('o.day')
    .orderBy('o.day')
    .execute();
  // PostgreSQL answers count/sum of integers as bigint/numeric text.
  return rows.map((row) => ({
    day: row.day,
    orders: Number(row.orders),
    revenue_cents: Number(row.revenue_cents),
    units: Number(row.units),
  }));
}

/** The products that brought most revenue in the range's counted orders (ties: units, then id). */
export async function topProducts(db: Executor, range: InstantRange, limit: number): Promise<ProductSales[]> {
  const rows = await db
    .selectFrom('order_items')
    .innerJoin('orders', 'orders.id', 'order_items.order_id')
    .where((eb) => countedOrders(eb, range))
    .select((eb) => [
      'order_items.product_id',
      eb.fn.max('order_items.product_name').as('name'),
      eb.fn.sum<number | string>('order_items.quantity').as('units'),
      eb.fn.sum<number | string>('order_items.line_total_cents').as('revenue_cents'),
    ])
    .groupBy('order_items.product_id')
    .orderBy('revenue_cents', 'desc')
    .orderBy('units', 'desc')
    .orderBy('order_items.product_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    product_id: row.product_id,
    name: row.name,
    units: Number(row.units),
    revenue_cents: Number(row.revenue_cents),
  }));
}
