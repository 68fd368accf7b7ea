import type { Insertable } from 'kysely';
import type { Executor, OrderItemsTable, OrderStatus, OrdersTable, Trx } from '../../db/database.js';
import type { Page } from '../../lib/pagination.js';

export type OrderRow = Omit<OrdersTable, 'id'> & { id: number };

/**
 * Takes stock only if there is enough, in one statement: the row lock (PostgreSQL) or the write
 * lock (SQLite) makes the check and the decrement indivisible. Returns the stock left, or
 * undefined when the line is short.
 */
export async function takeStock(
  trx: Trx,
  productId: number,
  quantity: number,
  now: string,
): Promise<number | undefined> {
  const row = await trx
    .updateTable('products')
    .set((eb) => ({ stock: eb('stock', '-', quantity), updated_at: now }))
    .where('id', '=', productId)
    .where('stock', '>=', quantity)
    .where('archived_at', 'is', null)
    .returning('stock')
    .executeTakeFirst();
  return row?.stock;
}

export async function returnStock(trx: Trx, productId: number, quantity: number, now: string): Promise<void> {
  await trx
    .updateTable('products')
    .set((eb) => ({ stock: eb('stock', '+', quantity), updated_at: now }))
    .where('id', '=', productId)
    .execute();
}

export async function insertOrder(trx: Trx, order: Omit<OrderRow, 'id'>): Promise<number> {
  const row = await trx.insertInto('orders').values(order).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export type OrderItemValues = Insertable<OrderItemsTable>;

export async function insertOrderItem(trx: Trx, item: OrderItemValues): Promise<number> {
  const row = await trx.insertInto('order_items').values(item).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export const findOrder = (db: Executor, id: number): Promise<OrderRow | undefined> =>
  db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();

export const itemsOfOrders = (db: Executor, orderIds: number[]) =>
  orderIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('order_items').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();

export interface OrderFilter {
  userId?: number;
  status?: OrderStatus;
}

/** Newest first; the id breaks ties between orders of the same millisecond. */
export async function listOrders(db: Executor, filter: OrderFilter, page: Page) {
  const base = db
    .selectFrom('orders')
    .$if(filter.userId !== undefined, (qb) => qb.where('user_id', '=', filter.userId as number))
    .$if(filter.status !== undefined, (qb) => qb.where('status', '=', filter.status as OrderStatus));
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/**
 * Moves an order from one status to the next and stamps the time, only if it is still in `from`:
 * of two racing changes (ship vs cancel, cancel vs cancel) exactly one wins.
 */
export async function moveStatus(
  trx: Trx,
  id: number,
  from: OrderStatus,
  to: OrderStatus,
  stamp: 'shipped_at' | 'delivered_at' | 'cancelled_at',
  now: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('orders')
    .set({ status: to, [stamp]: now })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
