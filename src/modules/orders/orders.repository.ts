import type { Insertable, Selectable } from 'kysely';
import type {
  Actor,
  Executor,
  OrderItemsTable,
  OrderPaymentStatus,
  OrderStatus,
  OrdersTable,
  Trx,
} from '../../db/database.js';
import type { Page } from '../../lib/pagination.js';
import { userMatches } from '../users/users.repository.js';

export type OrderRow = Omit<OrdersTable, 'id' | 'payment_status'> & {
  id: number;
  payment_status: OrderPaymentStatus;
};

export async function insertOrder(trx: Trx, order: Omit<OrderRow, 'id'>): Promise<number> {
  const row = await trx.insertInto('orders').values(order).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export type OrderItemValues = Insertable<OrderItemsTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;

/**
 * An order's lines in one statement; returns each line's id by its variant (one line per variant
 * in an order), so nothing depends on the order RETURNING gives rows in.
 */
export async function insertOrderItems(
  trx: Trx,
  items: readonly OrderItemValues[],
): Promise<Map<number, number>> {
  if (items.length === 0) return new Map();
  const rows = await trx
    .insertInto('order_items')
    .values([...items])
    .returning(['id', 'variant_id'])
    .execute();
  return new Map(rows.map((r) => [r.variant_id, r.id]));
}

export const findOrder = (db: Executor, id: number): Promise<OrderRow | undefined> =>
  db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();

export const itemsOfOrders = (db: Executor, orderIds: number[]) =>
  orderIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('order_items').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();

/**
 * The lines of these orders with the serial numbers sold on each (units is the units module's
 * table, joined here so an order reads in one statement), in line then unit order.
 */
export async function itemsWithSerials(db: Executor, orderIds: number[]) {
  if (orderIds.length === 0) return [];
  const rows = await db
    .selectFrom('order_items')
    .leftJoin('units', 'units.order_item_id', 'order_items.id')
    .selectAll('order_items')
    .select('units.serial_number')
    .where('order_items.order_id', 'in', orderIds)
    // The index's own order (order, then line): no sort step; units follow by id within a line.
    .orderBy('order_items.order_id')
    .orderBy('order_items.id')
    .orderBy('units.id')
    .execute();
  // Rows are grouped in place (an object rest per row costs more than the query's own work).
  const items: (OrderItemRow & { serial_number: string | null; serial_numbers: string[] })[] = [];
  for (const row of rows) {
    const last = items[items.length - 1];
    if (last?.id === row.id) {
      if (row.serial_number !== null) last.serial_numbers.push(row.serial_number);
      continue;
    }
    items.push(Object.assign(row, { serial_numbers: row.serial_number === null ? [] : [row.serial_number] }));
  }
  return items;
}

export interface OrderFilter {
  userId?: number | undefined;
  status?: OrderStatus | undefined;
  paymentStatus?: OrderPaymentStatus | undefined;
  /** created_at bounds, ISO 8601 UTC, both inclusive. */
  from?: string | undefined;
  to?: string | undefined;
  /** An order id, or part of the customer's username or email. */
  q?: string | undefined;
}

/**
 * Placed orders only (an order whose payment has not resolved is shown to no one), newest first;
 * the id breaks ties between orders of the same millisecond.
 */
export async function listOrders(db: Executor, filter: OrderFilter, page: Page) {
  const { q } = filter;
  const base = db
    .selectFrom('orders')
    .where('orders.placed_at', 'is not', null)
    .$if(filter.userId !== undefined, (qb) => qb.where('orders.user_id', '=', filter.userId as number))
    .$if(filter.status !== undefined, (qb) => qb.where('orders.status', '=', filter.status as OrderStatus))
    .$if(filter.paymentStatus !== undefined, (qb) =>
      qb.where('orders.payment_status', '=', filter.paymentStatus as OrderPaymentStatus),
    )
    .$if(filter.from !== undefined, (qb) => qb.where('orders.created_at', '>=', filter.from as string))
    .$if(filter.to !== undefined, (qb) => qb.where('orders.created_at', '<=', filter.to as string))
    .$if(q !== undefined, (qb) =>
      qb
        .leftJoin('users', 'users.id', 'orders.user_id')
        .where((eb) =>
          eb.or([
            ...(/^\d{1,9}$/.test(q as string) ? [eb('orders.id', '=', Number(q))] : []),
            userMatches(q as string),
          ]),
        ),
    );
  const [rows, count] = await Promise.all([
    base
      .selectAll('orders')
      .orderBy('orders.created_at', 'desc')
      .orderBy('orders.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/**
 * Moves an order from one status to the next and stamps the time, only if it is still in `from`:
 * of two racing changes (ship vs cancel, cancel vs cancel) exactly one wins, and gets the order
 * as moved; the loser gets undefined.
 */
export const moveStatus = (
  trx: Trx,
  id: number,
  from: OrderStatus,
  to: OrderStatus,
  stamp: 'shipped_at' | 'delivered_at' | 'cancelled_at' | undefined,
  now: string,
): Promise<OrderRow | undefined> =>
  trx
    .updateTable('orders')
    .set({ status: to, ...(stamp ? { [stamp]: now } : {}) })
    .where('id', '=', id)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst() as Promise<OrderRow | undefined>;

/**
 * Shows the order from now on (its payment resolved) and returns it as placed; a second call
 * changes nothing and returns undefined.
 */
export const markPlaced = (trx: Trx, id: number, now: string): Promise<OrderRow | undefined> =>
  trx
    .updateTable('orders')
    .set({ placed_at: now })
    .where('id', '=', id)
    .where('placed_at', 'is', null)
    .returningAll()
    .executeTakeFirst() as Promise<OrderRow | undefined>;

/**
 * A hidden order awaiting payment becomes pending and shown at once (the move awaiting_payment →
 * pending stamps nothing and records no event); returns it, or undefined if it was not so.
 */
export const acceptHidden = (trx: Trx, id: number, now: string): Promise<OrderRow | undefined> =>
  trx
    .updateTable('orders')
    .set({ status: 'pending', placed_at: now })
    .where('id', '=', id)
    .where('status', '=', 'awaiting_payment')
    .where('placed_at', 'is', null)
    .returningAll()
    .executeTakeFirst() as Promise<OrderRow | undefined>;

/**
 * Sets the order's payment status; returns the order as changed, or undefined when it was
 * already `status` (or there is no such order).
 */
export const setPaymentStatus = (trx: Trx, id: number, status: OrderPaymentStatus) =>
  trx
    .updateTable('orders')
    .set({ payment_status: status })
    .where('id', '=', id)
    .where('payment_status', '!=', status)
    .returningAll()
    .executeTakeFirst() as Promise<OrderRow | undefined>;

/** Orders still awaiting payment that were created at or before `cutoff`, oldest first. */
export const overdueOrders = (db: Executor, cutoff: string, limit: number) =>
  db
    .selectFrom('orders')
    .select('id')
    .where('status', '=', 'awaiting_payment')
    .where('created_at', '<=', cutoff)
    .orderBy('id')
    .limit(limit)
    .execute();

export async function insertOrderEvents(
  trx: Trx,
  rows: readonly { order_id: number; type: string; actor: Actor; data: string; created_at: string }[],
): Promise<void> {
  if (rows.length > 0)
    await trx
      .insertInto('order_events')
      .values([...rows])
      .execute();
}

export const orderEvents = (db: Executor, orderId: number) =>
  db
    .selectFrom('order_events')
    .select(['type', 'actor', 'data', 'created_at'])
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
