import type { OrderStatus } from '../../db/database.js';
import { AppError, forbidden } from '../../lib/errors.js';

/**
 * Who may make a move: `admin` only an admin; `owner` the customer who placed the order, or an
 * admin. Someone else's order is never visible, so it is 404 before any rule here applies.
 */
export type Mover = 'admin' | 'owner';

/**
 * The order life cycle, the whole of it: where each status may go next, and who may move it there.
 * Anything not listed is refused with 409 invalid_transition.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, Readonly<Partial<Record<OrderStatus, Mover>>>>> = {
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
} as const satisfies Record<Exclude<OrderStatus, 'pending'>, string>;

/** The event each status change records (order.created is recorded by checkout). */
export const STATUS_EVENTS = {
  shipped: 'order.shipped',
  delivered: 'order.delivered',
  cancelled: 'order.cancelled',
} as const satisfies Record<Exclude<OrderStatus, 'pending'>, string>;

/** Throws unless `actor` may move an order of `ownerId` from `from` to `to`. */
export function checkTransition(
  actor: { id: number; isAdmin: boolean },
  ownerId: number | null,
  from: OrderStatus,
  to: OrderStatus,
): void {
  const mover = TRANSITIONS[from][to];
  if (!mover) throw invalidTransition(from, to);
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
