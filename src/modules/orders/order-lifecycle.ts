import { dialectOf } from '../../db/connect.js';
import type { Actor, OrderPaymentStatus, OrderStatus, Trx } from '../../db/database.js';
import type { EventType } from '../events/events.schemas.js';
import { recordEvent } from '../events/record.js';
import { lockProducts } from '../products/products.repository.js';
import { returnVariantStock } from '../products/variants.repository.js';
import { releaseUnits } from '../units/units.repository.js';
import { type OrderParts, orderJsonOf, ordersJson } from './order-json.js';
import {
  acceptHidden,
  findOrder,
  insertOrderEvents,
  itemsOfOrders,
  markPlaced,
  moveStatus,
  type OrderRow,
  setPaymentStatus,
} from './orders.repository.js';
import type { Order } from './orders.schemas.js';
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
  const moved = await moveStatus(trx, orderId, from, to, stamp, now);
  if (!moved) return false;
  if (to === 'cancelled') await restock(trx, orderId);
  const event = to in STATUS_EVENTS ? STATUS_EVENTS[to as keyof typeof STATUS_EVENTS] : undefined;
  if (event) {
    await recordOrderEvent(trx, orderId, event, actor, now, move.data);
    await announce(trx, moved, event, now);
  }
  return true;
}

/**
 * The order is shown from now on: its payment resolved (paid, authorized, pay later, or 3-D Secure).
 * This is when other systems hear of it (order.created, and order.paid if the money is already
 * in): a checkout undone by a decline was never shown, so it is never announced. Returns the order
 * JSON as the announcements carry it (the caller's last change of the order, so what its
 * transaction commits), or undefined if the order was shown already.
 */
export async function placeOrder(trx: Trx, orderId: number, now: string): Promise<Order | undefined> {
  const row = await markPlaced(trx, orderId, now);
  return row && announcePlaced(trx, row, now);
}

/**
 * The payment resolved for an order awaiting it: the order moves to pending and is shown. One
 * update when it was still hidden (a checkout's own answer, the usual case); else the move and
 * placeOrder as two (3-D Secure showed it while the customer confirmed). Returns what placeOrder does.
 */
export async function acceptOrder(
  trx: Trx,
  orderId: number,
  actor: Actor,
  now: string,
  known?: Omit<OrderParts, 'shipments'>,
): Promise<Order | undefined> {
  const row = await acceptHidden(trx, orderId, now);
  // The caller's parts (a checkout knows the lines it wrote and the payment it moved) instead of
  // reading them again; an order ships only once pending, so one awaiting payment a statement ago has no shipments.
  if (row) return announcePlaced(trx, row, now, known && orderJsonOf(row, { ...known, shipments: [] }));
  await moveOrder(trx, { orderId, from: 'awaiting_payment', to: 'pending', actor, now });
  return placeOrder(trx, orderId, now);
}

async function announcePlaced(
  trx: Trx,
  row: OrderRow,
  now: string,
  known?: Order,
): Promise<Order | undefined> {
  // Nothing changes the order between the two announcements: one JSON serves both.
  const order = await announce(trx, row, 'order.created', now, known);
  if (row.payment_status === 'paid') await announce(trx, row, 'order.paid', now, order);
  return order;
}

/**
 * Mirrors the payment on the order, in the payment's own transaction, so lists can filter on it;
 * money captured (paid) or given back (a refund, whole or part) is announced in the same transaction.
 * Returns the order when this changed its payment status.
 */
export async function setOrderPaymentStatus(
  trx: Trx,
  orderId: number,
  status: OrderPaymentStatus,
  now: string,
): Promise<OrderRow | undefined> {
  const changed = await setPaymentStatus(trx, orderId, status);
  if (status === 'paid' && changed) await announce(trx, changed, 'order.paid', now);
  if (status === 'refunded' || status === 'partially_refunded') {
    await announce(trx, changed ?? (await findOrder(trx, orderId)), 'order.refunded', now);
  }
  return changed;
}

/**
 * Records an order event in the outbox, payload the order JSON as this transaction leaves it
 * (`order`, when the caller has it already); only for an order already shown (a hidden one is
 * announced, if ever, when placeOrder shows it).
 */
async function announce(
  trx: Trx,
  row: OrderRow | undefined,
  type: EventType,
  now: string,
  order?: Order,
): Promise<Order | undefined> {
  if (!row || row.placed_at === null) return undefined;
  const data = order ?? ((await ordersJson(trx, [row]))[0] as Order);
  await recordEvent(trx, { type, data, at: new Date(now) });
  return data;
}

export function recordOrderEvent(
  trx: Trx,
  orderId: number,
  type: string,
  actor: Actor,
  now: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  return recordOrderEvents(trx, orderId, actor, now, [{ type, data }]);
}

/** Several events of one order's timeline at once, in this order. */
export async function recordOrderEvents(
  trx: Trx,
  orderId: number,
  actor: Actor,
  now: string,
  events: readonly { type: string; data: Record<string, unknown> }[],
): Promise<void> {
  await insertOrderEvents(
    trx,
    events.map(({ type, data }) => ({
      order_id: orderId,
      type,
      actor,
      data: JSON.stringify(data),
      created_at: now,
    })),
  );
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
