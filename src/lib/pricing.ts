import { type RawBuilder, sql } from 'kysely';
import type { BasisPoints, Cents } from './money.js';

export interface OfferWindow {
  id: number;
  name: string;
  discount_bp: BasisPoints;
  start_time: string; // canonical ISO UTC
  end_time: string;
}

export interface Price {
  /** What the customer pays per unit now. */
  unitPrice: Cents;
  /** The list price. */
  originalPrice: Cents;
  discount: Cents;
  /** The offer that applies now, or null. */
  activeOffer: OfferWindow | null;
}

/** An offer applies from its start (inclusive) to its end (exclusive), compared in UTC. */
export function isOfferActive(offer: Pick<OfferWindow, 'start_time' | 'end_time'>, now: Date): boolean {
  const t = now.getTime();
  return Date.parse(offer.start_time) <= t && t < Date.parse(offer.end_time);
}

/**
 * Discounted unit price, rounded half-up to the cent: 19.99 at 15% = 16.9915 → 16.99,
 * 1.65 at 10% = 1.485 → 1.49. Pure integer arithmetic: (price × (10000 − bp) + 5000) div 10000.
 */
export function discountedUnitPrice(price: Cents, discountBp: BasisPoints): Cents {
  return Math.floor((price * (10_000 - discountBp) + 5_000) / 10_000);
}

/**
 * The one pricing function: catalog, cart, checkout and MCP all price through it. It prices a
 * variant (its list price) under its product's offer: offers apply to a product, so to all its variants.
 */
export function priceVariant(price: Cents, offer: OfferWindow | null, now: Date): Price {
  if (!offer || !isOfferActive(offer, now)) {
    return { unitPrice: price, originalPrice: price, discount: 0, activeOffer: null };
  }
  const unitPrice = discountedUnitPrice(price, offer.discount_bp);
  return { unitPrice, originalPrice: price, discount: price - unitPrice, activeOffer: offer };
}

/**
 * The same price as priceVariant, as SQL over a table with price_cents (`product_variants`, or
 * `products`, whose price_cents is its lowest live variant's, so this gives the "from" price) left-
 * joined to `offers`, for filters and sorts that must run in the database (min_price, max_price, sort=price).
 * Integer division truncates on both databases; every operand is non-negative, so it equals floor.
 * test/pricing.test.ts proves it agrees with priceVariant.
 */
export function currentPriceSql(nowIso: string, priced = 'products', offers = 'offers'): RawBuilder<number> {
  const p = sql.ref(`${priced}.price_cents`);
  const o = (column: string) => sql.ref(`${offers}.${column}`);
  return sql<number>`(case when ${o('id')} is not null and ${o('start_time')} <= ${nowIso} and ${nowIso} < ${o('end_time')}
    then (${p} * (10000 - ${o('discount_bp')}) + 5000) / 10000 else ${p} end)`;
}

/** SQL truth of "this row's offer is active now" (start inclusive, end exclusive, ISO UTC text). */
export function offerActiveSql(nowIso: string, offers = 'offers'): RawBuilder<boolean> {
  const o = (column: string) => sql.ref(`${offers}.${column}`);
  return sql<boolean>`(${o('id')} is not null and ${o('start_time')} <= ${nowIso} and ${nowIso} < ${o('end_time')})`;
}
