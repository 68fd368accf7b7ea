import type { AppContext } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { AppError, conflict } from '../../lib/errors.js';
import { type Price, priceVariant } from '../../lib/pricing.js';
import { addDays } from '../../lib/time.js';
import { type CartLineRow, linesForCheckout, listLines, removeBoughtLines } from '../cart/cart.repository.js';
import { lockProducts } from '../products/products.repository.js';
import {
  loadVariantPricingRows,
  takeVariantStock,
  type VariantPricingRow,
} from '../products/variants.repository.js';
import { pickUnits, sellUnits } from '../units/units.repository.js';
import { findUserById } from '../users/users.repository.js';
import { assertSameRequest, claimKey, KeyTaken, requestHash } from './idempotency.js';
import { attachOrder, findKey } from './idempotency.repository.js';
import { insertOrder, insertOrderItem } from './orders.repository.js';
import type { CheckoutBody, Order } from './orders.schemas.js';
import type { OrdersService } from './orders.service.js';

export interface CheckoutResult {
  /** false when an Idempotency-Key replayed an earlier checkout: nothing new was created. */
  created: boolean;
  order: Order;
}

interface ShortLine {
  product_id: number;
  variant_id: number;
  product_name: string | null;
  variant_title: string | null;
  requested: number;
  available: number;
}

/** 400, and for a request with a key possibly the sign that a simultaneous twin bought the cart. */
class EmptyCart extends AppError {
  constructor() {
    super(400, 'bad_request', 'Your cart is empty');
  }
}

export class CheckoutService {
  constructor(
    private readonly ctx: AppContext,
    private readonly orders: OrdersService,
  ) {}

  async checkout(userId: number, body: CheckoutBody | undefined, key?: string): Promise<CheckoutResult> {
    const now = this.ctx.clock.now();
    if (key !== undefined) {
      const earlier = await this.replay(userId, key, body, now.toISOString());
      if (earlier) return { created: false, order: earlier };
    }
    try {
      const orderId = await this.ctx.db
        .transaction()
        .execute((trx) => this.placeOrder(trx, userId, body, key, now));
      return { created: true, order: await this.orders.byId(orderId) };
    } catch (error) {
      if (key === undefined || !(error instanceof KeyTaken || error instanceof EmptyCart)) throw error;
      // A simultaneous request with this key may have won (and emptied the cart): answer with its order.
      const earlier = await this.replay(userId, key, body, now.toISOString());
      if (earlier) return { created: false, order: earlier };
      if (error instanceof EmptyCart) throw error;
      throw conflict('A checkout with this Idempotency-Key is in progress; retry shortly');
    }
  }

  /** The order an earlier request with this key created, if the key is live and the request the same. */
  private async replay(userId: number, key: string, body: CheckoutBody | undefined, now: string) {
    const record = await findKey(this.ctx.db, userId, key, now);
    if (!record) return undefined;
    assertSameRequest(record.request_hash, body, await listLines(this.ctx.db, userId));
    if (record.order_id === null) return undefined;
    return this.orders.byId(record.order_id);
  }

  /** The checkout, step by step, inside one transaction: any throw rolls every step back. */
  private async placeOrder(
    trx: Trx,
    userId: number,
    body: CheckoutBody | undefined,
    key: string | undefined,
    now: Date,
  ): Promise<number> {
    const nowIso = now.toISOString();

    // 1. The cart, in product then variant order, and its products locked in that order (PostgreSQL):
    //    every writer of a product's variants locks the product first, so no two wait on each other.
    const lines = await linesForCheckout(trx, userId, this.ctx.dialect === 'postgres');
    if (lines.length === 0) throw new EmptyCart();
    if (this.ctx.dialect === 'postgres') {
      await lockProducts(
        trx,
        lines.map((l) => l.product_id),
      );
    }

    // 2. Claim the key. A simultaneous holder makes this wait (PostgreSQL) and then fail if it committed.
    if (key !== undefined) await claimKey(trx, userId, key, requestHash(body, lines), now);

    // 3. Take every line's stock (its variant's) with a conditional update; note each short line, keep going.
    const taken = new Set<number>();
    for (const line of lines) {
      if (await takeVariantStock(trx, line.variant_id, line.quantity, nowIso)) taken.add(line.variant_id);
    }
    // Read after the updates: the rows we took are locked, so prices and names are current.
    const variants = await loadVariantPricingRows(
      trx,
      lines.map((l) => l.variant_id),
    );

    // 4. Pick serialized units for the lines that got stock.
    const units = new Map<number, number[]>();
    for (const line of lines) {
      const variant = variants.get(line.variant_id);
      if (!taken.has(line.variant_id) || !variant?.serialized) continue;
      const picked = await pickUnits(trx, line.variant_id, line.quantity, this.ctx.dialect === 'postgres');
      if (picked.length < line.quantity) taken.delete(line.variant_id);
      units.set(line.variant_id, picked);
    }

    // 5. Any short line: report them all, and the throw undoes the stock already taken.
    const short = lines.filter((l) => !taken.has(l.variant_id));
    if (short.length > 0) throw this.shortage(short, variants, units);

    // 6. Price every line now, through the one pricing function.
    const priced = lines.map((line) => {
      const variant = variants.get(line.variant_id) as VariantPricingRow;
      return { line, variant, price: priceVariant(variant.price_cents, variant.offer, now) };
    });
    const total = priced.reduce((sum, p) => sum + p.price.unitPrice * p.line.quantity, 0);

    // 7. The order and its line snapshots; serialized units are marked sold to their line.
    const orderId = await insertOrder(trx, {
      user_id: userId,
      status: 'pending',
      total_cents: total,
      shipping_address: body?.shipping_address ?? (await findUserById(trx, userId))?.address ?? null,
      estimated_delivery_date: addDays(now, this.ctx.config.deliveryDays).toISOString(),
      created_at: nowIso,
      shipped_at: null,
      delivered_at: null,
      cancelled_at: null,
    });
    for (const { line, variant, price } of priced) {
      const itemId = await insertOrderItem(trx, snapshot(orderId, line, variant, price));
      const picked = units.get(line.variant_id);
      if (picked && (await sellUnits(trx, picked, itemId, nowIso)) !== picked.length) {
        throw new Error(`units of variant ${line.variant_id} changed hands during checkout`);
      }
    }

    // 8. Empty the cart and bind the key to the order.
    await removeBoughtLines(
      trx,
      lines.map((l) => l.id),
    );
    if (key !== undefined) await attachOrder(trx, userId, key, orderId);
    return orderId;
  }

  private shortage(
    short: CartLineRow[],
    variants: Map<number, VariantPricingRow>,
    units: Map<number, number[]>,
  ) {
    const items: ShortLine[] = short.map((line) => {
      const variant = variants.get(line.variant_id);
      const available = !variant || variant.archived ? 0 : variant.stock;
      return {
        product_id: line.product_id,
        variant_id: line.variant_id,
        product_name: variant?.name ?? null,
        variant_title: variant?.title ?? null,
        requested: line.quantity,
        // A serialized line short of units (stock and units disagreeing) shows the units found.
        available: units.has(line.variant_id) ? (units.get(line.variant_id)?.length ?? 0) : available,
      };
    });
    const list = items
      .map(
        (i) =>
          `${i.product_name ?? i.product_id}${i.variant_title ? ` (${i.variant_title})` : ''}: ${i.available} of ${i.requested}`,
      )
      .join('; ');
    return new AppError(409, 'insufficient_stock', `Not enough stock, nothing was charged (${list})`, {
      items,
    });
  }
}

function snapshot(orderId: number, line: CartLineRow, variant: VariantPricingRow, price: Price) {
  return {
    order_id: orderId,
    product_id: line.product_id,
    variant_id: line.variant_id,
    sku: variant.sku,
    product_name: variant.name,
    variant_title: variant.title,
    unit_price_cents: price.unitPrice,
    original_unit_price_cents: price.originalPrice,
    offer_name: price.activeOffer?.name ?? null,
    quantity: line.quantity,
    line_total_cents: price.unitPrice * line.quantity,
  };
}
