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

/** The one pricing function: catalog, cart, checkout and MCP all price through it. */
export function priceProduct(price: Cents, offer: OfferWindow | null, now: Date): Price {
  if (!offer || !isOfferActive(offer, now)) {
    return { unitPrice: price, originalPrice: price, discount: 0, activeOffer: null };
  }
  const unitPrice = discountedUnitPrice(price, offer.discount_bp);
  return { unitPrice, originalPrice: price, discount: price - unitPrice, activeOffer: offer };
}
