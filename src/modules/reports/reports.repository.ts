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

/** Payment states in which money was captured (and possibly given back in part or in full). */
const CAPTURED_STATES = ['paid', 'partially_refunded', 'refunded'] as const;

/**
 * The orders a sales report counts: placed in the range, money captured for them, and not
 * cancelled (a cancelled paid order was refunded in full, so it brings nothing).
 */
function countedOrders(eb: ExpressionBuilder<Database, 'orders'>, range: InstantRange) {
  return eb.and([
    eb('orders.placed_at', '>=', range.start),
    eb('orders.placed_at', '<', range.end),
    eb('orders.payment_status', 'in', CAPTURED_STATES),
    eb('orders.status', '!=', 'cancelled'),
  ]);
}

/** An order's captured minus refunded cents, from its payment's ledger. */
function netCaptured(eb: ExpressionBuilder<Database, 'orders'>) {
  return eb
    .selectFrom('payment_events')
    .innerJoin('payments', 'payments.id', 'payment_events.payment_id')
    .whereRef('payments.order_id', '=', 'orders.id')
    .select(
      sql<number>`coalesce(sum(case payment_events.type when 'captured' then payment_events.amount_cents when 'refunded' then -payment_events.amount_cents else 0 end), 0)`.as(
        'net',
      ),
    )
    .$asScalar();
}

/**
 * Orders, revenue and units per UTC day of the range; days without orders are absent. Stored
 * instants are `YYYY-MM-DDTHH:MM:SS.sssZ` text, so the day is their first ten characters on both
 * databases. Revenue is captured minus refunded, from each order's payment ledger.
 */
export async function dailySales(db: Executor, range: InstantRange): Promise<DailySales[]> {
  const perOrder = db
    .selectFrom('orders')
    .where((eb) => countedOrders(eb, range))
    .select((eb) => [
      sql<string>`substr(orders.placed_at, 1, 10)`.as('day'),
      netCaptured(eb).as('revenue_cents'),
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
      eb.fn.sum<number | string>('o.revenue_cents').as('revenue_cents'),
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

/** Cents refunded in the range (by when the refund happened), whatever day its order was placed. */
export async function refundedCents(db: Executor, range: InstantRange): Promise<number> {
  const row = await db
    .selectFrom('payment_events')
    .where('type', '=', 'refunded')
    .where('created_at', '>=', range.start)
    .where('created_at', '<', range.end)
    .select(sql<number | string>`coalesce(sum(amount_cents), 0)`.as('cents'))
    .executeTakeFirstOrThrow();
  return Number(row.cents);
}
