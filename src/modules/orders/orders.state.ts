import type { OrderStatus } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';

/**
 * The order life cycle, the whole of it: where each status may go next. Anything not listed is
 * refused with 409 invalid_transition.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
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
} as const satisfies Record<Exclude<OrderStatus, 'pending'>, string>;

/** The event each status change records (order.created is recorded by checkout). */
export const STATUS_EVENTS = {
  shipped: 'order.shipped',
  delivered: 'order.delivered',
  cancelled: 'order.cancelled',
} as const satisfies Record<Exclude<OrderStatus, 'pending'>, string>;

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
