import type { OrderStatus } from '../../db/database.js';
import { AppError, forbidden } from '../../lib/errors.js';

/**
 * Who may make a move: `admin` only an admin; `owner` the customer who placed the order, or an
 * admin; `payment` no one by hand: the payment's resolution makes it (the checkout's answer, the
 * customer's confirmation, the provider's webhook). Someone else's order is never visible, so it
 * is 404 before any rule here applies.
 */
export type Mover = 'admin' | 'owner' | 'payment';

/**
 * The order life cycle, the whole of it: where each status may go next, and who may move it there.
 * Anything not listed is refused with 409 invalid_transition. Every change goes through moveOrder
 * (order-lifecycle.ts).
 *
 * - awaiting_payment: placed, stock held, payment not yet authorized (3-D Secure). Cancelled by
 *   the customer, an admin, a failed payment, or the expiry job after PAYMENT_TIMEOUT.
 * - pending: paid, authorized, or pay-later accepted; to be fulfilled.
 * - shipped: a shipment was recorded (an authorized payment was captured first).
 * - delivered, cancelled: final.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, Readonly<Partial<Record<OrderStatus, Mover>>>>> = {
  awaiting_payment: { pending: 'payment', cancelled: 'owner' },
  pending: { shipped: 'admin', cancelled: 'owner' },
  shipped: { delivered: 'admin' },
  delivered: {},
  cancelled: {},
};

/** The timestamp each status stamps when an order enters it. */
export const STAMPS = {
  shipped: 'shipped_at',
  delivered: 'delivered_at',
  cancelled: 'cancelled_at',
} as const satisfies Partial<Record<OrderStatus, string>>;

/** The timeline event an order's entry into a status records (payment events record the rest). */
export const STATUS_EVENTS = {
  shipped: 'order.shipped',
  delivered: 'order.delivered',
  cancelled: 'order.cancelled',
} as const satisfies Partial<Record<OrderStatus, string>>;

/** Whether the table has this move at all (whoever makes it). */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from][to] !== undefined;
}

/** Throws unless `actor` may move an order of `ownerId` from `from` to `to`. */
export function checkTransition(
  actor: { id: number; isAdmin: boolean },
  ownerId: number | null,
  from: OrderStatus,
  to: OrderStatus,
): void {
  const mover = TRANSITIONS[from][to];
  if (!mover) throw invalidTransition(from, to);
  if (mover === 'payment') {
    throw new AppError(409, 'invalid_transition', `An order becomes ${to} when its payment is authorized`, {
      from,
      to,
      allowed: Object.keys(TRANSITIONS[from]),
    });
  }
  if (actor.isAdmin || (mover === 'owner' && ownerId === actor.id)) return;
  throw forbidden(`Only an admin can mark an order ${to}`);
}

export function invalidTransition(from: OrderStatus, to: OrderStatus): AppError {
  const allowed = Object.keys(TRANSITIONS[from]) as OrderStatus[];
  return new AppError(
    409,
    'invalid_transition',
    `An order that is ${from} cannot become ${to}` +
      (allowed.length > 0 ? ` (it can become ${allowed.join(' or ')})` : ` (${from} is final)`),
    { from, to, allowed },
  );
}
