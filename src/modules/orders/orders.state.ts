import type { OrderStatus } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';

/**
 * The order life cycle, the whole of it: where each status may go next. Anything not listed is
 * refused with 409 invalid_transition. Every change goes through moveOrder (order-lifecycle.ts).
 *
 * - awaiting_payment: placed, stock held, payment not yet authorized (3-D Secure); the customer,
 *   an admin, or the expiry job after PAYMENT_TIMEOUT may cancel it.
 * - pending: paid, authorized, or pay-later accepted; to be fulfilled.
 * - shipped: a shipment was recorded (an authorized payment was captured first).
 * - delivered, cancelled: final.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  awaiting_payment: ['pending', 'cancelled'],
  pending: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
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

/** A customer may cancel their own order before it is fulfilled; so may an admin (until shipped). */
export const CANCELLABLE: readonly OrderStatus[] = ['awaiting_payment', 'pending'];

export const ORDER_STATUSES = Object.keys(TRANSITIONS) as OrderStatus[];

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function invalidTransition(from: OrderStatus, to: OrderStatus): AppError {
  const allowed = TRANSITIONS[from];
  return new AppError(
    409,
    'invalid_transition',
    `An order that is ${from} cannot become ${to}` +
      (allowed.length > 0 ? ` (it can become ${allowed.join(' or ')})` : ` (${from} is final)`),
    { from, to, allowed: [...allowed] },
  );
}
