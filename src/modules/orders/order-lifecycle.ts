import { dialectOf } from '../../db/connect.js';
import type { Actor, OrderPaymentStatus, OrderStatus, Trx } from '../../db/database.js';
import type { EventType } from '../events/events.schemas.js';
import { recordEvent } from '../events/record.js';
import { lockProducts } from '../products/products.repository.js';
import { returnVariantStock } from '../products/variants.repository.js';
import { releaseUnits } from '../units/units.repository.js';
import { orderJson } from './order-json.js';
import {
  findOrder,
  insertOrderEvent,
  itemsOfOrders,
  markPlaced,
  moveStatus,
  setPaymentStatus,
} from './orders.repository.js';
import { canTransition, invalidTransition, STAMPS, STATUS_EVENTS } from './orders.state.js';

/*
 * Every change of an order's state, in one place and always inside the caller's transaction: the
 * status (along orders.state.ts), its visibility, its payment status and its timeline. Whatever
 * other systems must hear about an order (the events outbox) is written here too.
 */

export interface OrderMove {
  orderId: number;
  from: OrderStatus;
  to: OrderStatus;
  actor: Actor;
  now: string;
  /** What the timeline records with the change (e.g. the shipment). */
  data?: Record<string, unknown>;
}

/**
 * Moves an order along the transition table, only if it is still in `from`: of two racing
 * changes (ship vs cancel, expiry vs authorization) exactly one applies, and false tells the
 * loser. A cancellation returns stock and serialized units in the same transaction: never twice.
 */
export async function moveOrder(trx: Trx, move: OrderMove): Promise<boolean> {
  const { orderId, from, to, actor, now } = move;
  if (!canTransition(from, to)) throw invalidTransition(from, to);
  const stamp = to in STAMPS ? STAMPS[to as keyof typeof STAMPS] : undefined;
  if (!(await moveStatus(trx, orderId, from, to, stamp, now))) return false;
  if (to === 'cancelled') await restock(trx, orderId);
  const event = to in STATUS_EVENTS ? STATUS_EVENTS[to as keyof typeof STATUS_EVENTS] : undefined;
  if (event) {
    await recordOrderEvent(trx, orderId, event, actor, now, move.data);
    await publish(trx, orderId, event, now);
  }
  return true;
}

/**
 * The order is shown from now on: its payment resolved (paid, authorized, pay later, or 3-D Secure).
 * This is when other systems hear of it (order.created, and order.paid if the money is already
 * in): a checkout undone by a decline was never shown, so it is never announced.
 */
export async function placeOrder(trx: Trx, orderId: number, now: string): Promise<void> {
  if (!(await markPlaced(trx, orderId, now))) return;
  await publish(trx, orderId, 'order.created', now);
  if ((await findOrder(trx, orderId))?.payment_status === 'paid')
    await publish(trx, orderId, 'order.paid', now);
}

/**
 * Mirrors the payment on the order, in the payment's own transaction, so lists can filter on it;
 * money captured (paid) or given back (a refund, whole or part) is announced in the same transaction.
 */
export async function setOrderPaymentStatus(
  trx: Trx,
  orderId: number,
  status: OrderPaymentStatus,
  now: string,
): Promise<void> {
  const before = (await findOrder(trx, orderId))?.payment_status;
  await setPaymentStatus(trx, orderId, status);
  if (status === 'paid' && before !== 'paid') await publish(trx, orderId, 'order.paid', now);
  if (status === 'refunded' || status === 'partially_refunded') {
    await publish(trx, orderId, 'order.refunded', now);
  }
}

/**
 * Records an order event in the outbox, payload the order JSON as this transaction leaves it; only
 * for an order already shown (a hidden one is announced, if ever, when placeOrder shows it).
 */
async function publish(trx: Trx, orderId: number, type: EventType, now: string): Promise<void> {
  const order = await findOrder(trx, orderId);
  if (!order || order.placed_at === null) return;
  await recordEvent(trx, { type, data: await orderJson(trx, orderId), at: new Date(now) });
}

export async function recordOrderEvent(
  trx: Trx,
  orderId: number,
  type: string,
  actor: Actor,
  now: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await insertOrderEvent(trx, {
    order_id: orderId,
    type,
    actor,
    data: JSON.stringify(data),
    created_at: now,
  });
}

/**
 * Returns a cancelled order's stock (to each line's variant) and serialized units, in product then
 * variant order (the lock order of checkout).
 */
async function restock(trx: Trx, orderId: number): Promise<void> {
  const items = (await itemsOfOrders(trx, [orderId])).sort(
    (a, b) => a.product_id - b.product_id || a.variant_id - b.variant_id,
  );
  // Every writer of a product's variants locks the product first (PostgreSQL), as checkout does.
  if (dialectOf(trx) === 'postgres') {
    await lockProducts(
      trx,
      items.map((i) => i.product_id),
    );
  }
  for (const item of items) {
    await returnVariantStock(trx, item.variant_id, item.quantity);
    await releaseUnits(trx, item.id);
  }
}
