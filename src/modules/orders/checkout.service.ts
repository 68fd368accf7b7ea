import type { AppContext } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { AppError, conflict } from '../../lib/errors.js';
import { type Price, priceProduct } from '../../lib/pricing.js';
import { addDays } from '../../lib/time.js';
import {
  type CartLineRow,
  linesForCheckout,
  listLines,
  pricingRowsById,
  removeBoughtLines,
} from '../cart/cart.repository.js';
import { recordEvent } from '../events/record.js';
import { noteStockChange } from '../insights/stock-row.js';
import type { PricingRow } from '../products/products.repository.js';
import { pickUnits, sellUnits } from '../units/units.repository.js';
import { findUserById } from '../users/users.repository.js';
import { assertSameRequest, claimKey, KeyTaken, requestHash } from './idempotency.js';
import { attachOrder, findKey } from './idempotency.repository.js';
import { insertOrder, insertOrderItem, takeStock } from './orders.repository.js';
import type { CheckoutBody, Order } from './orders.schemas.js';
import type { OrdersService } from './orders.service.js';

export interface CheckoutResult {
  /** false when an Idempotency-Key replayed an earlier checkout: nothing new was created. */
  created: boolean;
  order: Order;
}

interface ShortLine {
  product_id: number;
  product_name: string | null;
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
      const order = await this.ctx.db
        .transaction()
        .execute((trx) => this.placeOrder(trx, userId, body, key, now));
      return { created: true, order };
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
  ): Promise<Order> {
    const nowIso = now.toISOString();

    // 1. The cart, in product order: every checkout locks products in the same order (no deadlocks).
    const lines = await linesForCheckout(trx, userId, this.ctx.dialect === 'postgres');
    if (lines.length === 0) throw new EmptyCart();

    // 2. Claim the key. A simultaneous holder makes this wait (PostgreSQL) and then fail if it committed.
    if (key !== undefined) await claimKey(trx, userId, key, requestHash(body, lines), now);

    // 3. Take every line's stock with a conditional update; note each short line, keep going.
    const taken = new Map<number, number>(); // product → stock left
    for (const line of lines) {
      const left = await takeStock(trx, line.product_id, line.quantity, nowIso);
      if (left !== undefined) taken.set(line.product_id, left);
    }
    // Read after the updates: the rows we took are locked, so prices and names are current.
    const products = await pricingRowsById(
      trx,
      lines.map((l) => l.product_id),
    );

    // 4. Pick serialized units for the lines that got stock.
    const units = new Map<number, number[]>();
    for (const line of lines) {
      const product = products.get(line.product_id);
      if (!taken.has(line.product_id) || !product?.serialized) continue;
      const picked = await pickUnits(trx, line.product_id, line.quantity, this.ctx.dialect === 'postgres');
      if (picked.length < line.quantity) taken.delete(line.product_id);
      units.set(line.product_id, picked);
    }

    // 5. Any short line: report them all, and the throw undoes the stock already taken.
    const short = lines.filter((l) => !taken.has(l.product_id));
    if (short.length > 0) throw this.shortage(short, products, units);

    // 6. Price every line now, through the one pricing function.
    const priced = lines.map((line) => {
      const product = products.get(line.product_id) as PricingRow;
      return { line, product, price: priceProduct(product.price_cents, product.offer, now) };
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
    for (const { line, product, price } of priced) {
      const itemId = await insertOrderItem(trx, snapshot(orderId, line, product, price));
      const picked = units.get(line.product_id);
      if (picked && (await sellUnits(trx, picked, itemId, nowIso)) !== picked.length) {
        throw new Error(`units of product ${line.product_id} changed hands during checkout`);
      }
    }

    // 8. Empty the cart and bind the key to the order.
    await removeBoughtLines(
      trx,
      lines.map((l) => l.id),
    );
    if (key !== undefined) await attachOrder(trx, userId, key, orderId);

    // 9. The events, committed with the order or not at all.
    const order = await this.orders.byId(orderId, trx);
    await recordEvent(trx, { type: 'order.created', data: order, at: now });
    for (const line of lines) {
      const after = taken.get(line.product_id) as number;
      await noteStockChange(trx, {
        productId: line.product_id,
        before: after + line.quantity,
        after,
        at: now,
      });
    }
    return order;
  }

  private shortage(short: CartLineRow[], products: Map<number, PricingRow>, units: Map<number, number[]>) {
    const items: ShortLine[] = short.map((line) => {
      const product = products.get(line.product_id);
      const available = !product || product.archived_at !== null ? 0 : product.stock;
      return {
        product_id: line.product_id,
        product_name: product?.name ?? null,
        requested: line.quantity,
        // A serialized line short of units (stock and units disagreeing) shows the units found.
        available: units.has(line.product_id) ? (units.get(line.product_id)?.length ?? 0) : available,
      };
    });
    const list = items
      .map((i) => `${i.product_name ?? i.product_id}: ${i.available} of ${i.requested}`)
      .join('; ');
    return new AppError(409, 'insufficient_stock', `Not enough stock, nothing was charged (${list})`, {
      items,
    });
  }
}

function snapshot(orderId: number, line: CartLineRow, product: PricingRow, price: Price) {
  return {
    order_id: orderId,
    product_id: line.product_id,
    product_name: product.name,
    unit_price_cents: price.unitPrice,
    original_unit_price_cents: price.originalPrice,
    offer_name: price.activeOffer?.name ?? null,
    quantity: line.quantity,
    line_total_cents: price.unitPrice * line.quantity,
  };
}
