import { dialectOf } from '../../db/connect.js';
import type { Actor, OrderPaymentStatus, OrderStatus, Trx } from '../../db/database.js';
import { lockProducts } from '../products/products.repository.js';
import { returnVariantStock } from '../products/variants.repository.js';
import { releaseUnits } from '../units/units.repository.js';
import {
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
  if (event) await recordOrderEvent(trx, orderId, event, actor, now, move.data);
  return true;
}

/** The order is shown from now on: its payment resolved (paid, authorized, pay later, or 3-D Secure). */
export async function placeOrder(trx: Trx, orderId: number, now: string): Promise<void> {
  await markPlaced(trx, orderId, now);
}

/** Mirrors the payment on the order, in the payment's own transaction, so lists can filter on it. */
export async function setOrderPaymentStatus(
  trx: Trx,
  orderId: number,
  status: OrderPaymentStatus,
): Promise<void> {
  await setPaymentStatus(trx, orderId, status);
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
