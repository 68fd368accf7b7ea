import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { AppError, conflict } from '../../lib/errors.js';
import type { Cents } from '../../lib/money.js';
import { type Price, priceVariant } from '../../lib/pricing.js';
import { addDays } from '../../lib/time.js';
import {
  type CartLineRow,
  type CartLineSnapshot,
  linesForCheckout,
  listLines,
  removeBoughtLines,
  restoreLines,
} from '../cart/cart.repository.js';
import type { CartService } from '../cart/cart.service.js';
import { noteStockChanges } from '../insights/stock-row.js';
import type { PaymentInput, PaymentProvider } from '../payments/payment-provider.js';
import type { Payment } from '../payments/payments.schemas.js';
import { type PaymentFailure, type PaymentsService, paymentError } from '../payments/payments.service.js';
import { lockProducts } from '../products/products.repository.js';
import {
  loadVariantPricingRows,
  takeVariantsStock,
  type VariantPricingRow,
} from '../products/variants.repository.js';
import { pickUnits, sellUnits } from '../units/units.repository.js';
import { findUserById } from '../users/users.repository.js';
import { assertSameRequest, claimKey, KeyTaken, requestHash } from './idempotency.js';
import { attachOrder, findKey } from './idempotency.repository.js';
import type { OrderItemWithSerials } from './order-json.js';
import { moveOrder, recordOrderEvent } from './order-lifecycle.js';
import { findOrder, insertOrder, insertOrderItems } from './orders.repository.js';
import type { CheckoutBody, Order } from './orders.schemas.js';
import type { OrdersService } from './orders.service.js';

export interface CheckoutResult {
  /** false when an Idempotency-Key replayed an earlier checkout: nothing new was created. */
  created: boolean;
  order: Order;
  payment: Payment;
}

interface ShortLine {
  product_id: number;
  variant_id: number;
  product_name: string | null;
  variant_title: string | null;
  requested: number;
  available: number;
}

/** How long a replay waits for the first request's payment step, and how often it looks. */
const REPLAY_WAIT_MS = 10_000;
const REPLAY_POLL_MS = 25;

/** What the reservation step holds, and what its undo needs to give back. */
interface Reservation {
  userId: number;
  orderId: number;
  paymentId: number;
  total: Cents;
  /** The cart lines the order took, as they were. */
  lines: CartLineSnapshot[];
  /** The order's lines as written, in id order; undefined when serialized units are among them. */
  items: OrderItemWithSerials[] | undefined;
}

/** 400, and for a request with a key possibly the sign that a simultaneous twin bought the cart. */
class EmptyCart extends AppError {
  constructor() {
    super(400, 'bad_request', 'Your cart is empty');
  }
}

/**
 * A checkout in two steps, each of which knows how to undo itself:
 * 1. reserve — one transaction: stock, units, the order (awaiting_payment, shown to no one yet)
 *    with its pending payment, the cart emptied;
 * 2. pay — the provider, called outside any transaction. A decline or an unreachable provider
 *    runs the undo of step 1 (one compensating transaction: the payment failed, the order
 *    cancelled and still hidden, stock and units back, the cart lines back as they were).
 * A process that dies between the steps leaves an awaiting_payment order: the expiry job
 * cancels it and returns its stock after PAYMENT_TIMEOUT.
 */
export class CheckoutService {
  constructor(
    private readonly ctx: AppContext,
    private readonly orders: OrdersService,
    private readonly payments: PaymentsService,
    private readonly cart: CartService,
  ) {}

  async checkout(userId: number, body: CheckoutBody | undefined, key?: string): Promise<CheckoutResult> {
    const input: PaymentInput = body?.payment ?? {};
    // A wrong provider or token is a 400 before anything is reserved.
    const provider = this.payments.providerFor(input);
    const now = this.ctx.clock.now();
    if (key !== undefined) {
      const earlier = await this.replay(userId, key, body);
      if (earlier) return earlier;
    }
    let reservation: Reservation;
    try {
      reservation = await this.ctx.db
        .transaction()
        .execute((trx) => this.reserve(trx, userId, body, provider, key, now))
        .finally(() => this.cart.linesChanged(userId));
    } catch (error) {
      if (key === undefined || !(error instanceof KeyTaken || error instanceof EmptyCart)) throw error;
      // A simultaneous request with this key may have won (and emptied the cart): answer with its result.
      const earlier = await this.replay(userId, key, body);
      if (earlier) return earlier;
      if (error instanceof EmptyCart) throw error;
      throw conflict('A checkout with this Idempotency-Key is in progress; retry shortly');
    }
    const placed = await this.pay(reservation, provider, input);
    const order = placed ?? (await this.orders.byId(reservation.orderId));
    return { created: true, order, payment: order.payment as Payment };
  }

  /**
   * The earlier result of this key, if the key is live and the request the same: its order, or
   * the same 402/502 its payment failed with.
   */
  private async replay(userId: number, key: string, body: CheckoutBody | undefined) {
    const record = await findKey(this.ctx.db, userId, key, this.ctx.clock.now().toISOString());
    if (!record) return undefined;
    assertSameRequest(record.request_hash, body, await listLines(this.ctx.db, userId));
    if (record.order_id === null) return undefined;
    const row = await this.settled(record.order_id);
    if (row && row.placed_at === null) {
      const payment = await this.payments.ofOrder(row.id);
      const failure = payment && this.payments.failureOf(payment);
      if (failure) throw paymentError(failure);
      throw conflict(
        row.status === 'awaiting_payment'
          ? 'A checkout with this Idempotency-Key is in progress; retry shortly'
          : 'The checkout with this Idempotency-Key did not complete; start a new one with a new key',
      );
    }
    const order = await this.orders.byId(record.order_id);
    return { created: false, order, payment: order.payment as Payment };
  }

  /**
   * The order once its checkout's payment step is over: a twin request that arrives while the
   * first is still talking to the provider waits for its answer (a few seconds at most).
   */
  private async settled(orderId: number) {
    const deadline = Date.now() + REPLAY_WAIT_MS;
    for (;;) {
      const row = await findOrder(this.ctx.db, orderId);
      if (!row || row.placed_at !== null || row.status !== 'awaiting_payment' || Date.now() > deadline)
        return row;
      await sleep(REPLAY_POLL_MS);
    }
  }

  /**
   * Step 2: the provider, outside any transaction; a failure undoes step 1 and answers 402 or 502.
   * Returns the order as the payment step left it, when nothing else has changed it since.
   */
  private async pay(
    reservation: Reservation,
    provider: PaymentProvider,
    input: PaymentInput,
  ): Promise<Order | undefined> {
    const result = await this.payments.authorize(reservation.paymentId, reservation.total, provider, input);
    if (result.outcome === 'declined' || result.outcome === 'error') {
      const failure: PaymentFailure =
        result.outcome === 'declined'
          ? { code: 'payment_declined', message: `The payment was declined: ${result.message}` }
          : {
              code: 'payment_provider_error',
              message: `The payment provider could not be reached: ${result.message}`,
            };
      await this.release(reservation, failure, result.outcome === 'declined' ? result.reference : null);
      throw paymentError(failure);
    }
    return this.payments.recordCheckout(
      {
        provider: provider.name,
        paymentId: reservation.paymentId,
        orderId: reservation.orderId,
        items: reservation.items,
      },
      result,
    );
  }

  /** The undo of step 1, in one transaction; only if the order is still the one we reserved. */
  private async release(reservation: Reservation, failure: PaymentFailure, reference: string | null) {
    const now = this.ctx.clock.now().toISOString();
    await this.ctx.db.transaction().execute(async (trx) => {
      await this.payments.fail(trx, reservation.paymentId, failure, reference, 'customer', now);
      const cancelled = await moveOrder(trx, {
        orderId: reservation.orderId,
        from: 'awaiting_payment',
        to: 'cancelled',
        actor: 'system',
        now,
        data: { reason: failure.code },
      });
      if (cancelled) await restoreLines(trx, reservation.lines);
    });
    this.cart.linesChanged(reservation.userId);
  }

  /** Step 1, inside one transaction: any throw rolls every part of it back. */
  private async reserve(
    trx: Trx,
    userId: number,
    body: CheckoutBody | undefined,
    provider: PaymentProvider,
    key: string | undefined,
    now: Date,
  ): Promise<Reservation> {
    const nowIso = now.toISOString();

    // 1. The cart, in product then variant order, and its products locked in that order (PostgreSQL):
    //    every writer of a product's variants locks the product first, so no two wait on each other.
    const lines = await linesForCheckout(trx, userId, this.ctx.dialect === 'postgres');
    if (lines.length === 0) throw new EmptyCart();
    // Before the product locks, which every checkout of these products waits for: hold them briefly.
    const shippingAddress = body?.shipping_address ?? (await findUserById(trx, userId))?.address ?? null;
    if (this.ctx.dialect === 'postgres') {
      await lockProducts(
        trx,
        lines.map((l) => l.product_id),
      );
    }

    // 2. Claim the key. A simultaneous holder makes this wait (PostgreSQL) and then fail if it committed.
    if (key !== undefined) await claimKey(trx, userId, key, requestHash(body, lines), now);

    // 3. Take every line's stock (its variant's) in one conditional update; a line not taken is short.
    //    (One line per variant: the cart holds each variant once.)
    const taken = await takeVariantsStock(
      trx,
      lines.map((l) => ({ variantId: l.variant_id, quantity: l.quantity })),
    );
    // Read after the update: the rows we took are locked, so prices and names are current.
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

    // 7. The order, awaiting its payment and shown to no one until the payment resolves, and its
    //    line snapshots; serialized units are marked sold to their line.
    const orderId = await insertOrder(trx, {
      user_id: userId,
      status: 'awaiting_payment',
      payment_status: 'unpaid',
      placed_at: null,
      total_cents: total,
      shipping_address: shippingAddress,
      estimated_delivery_date: addDays(now, this.ctx.config.deliveryDays).toISOString(),
      created_at: nowIso,
      shipped_at: null,
      delivered_at: null,
      cancelled_at: null,
    });
    const snapshots = priced.map(({ line, variant, price }) => snapshot(orderId, line, variant, price));
    const itemIds = await insertOrderItems(trx, snapshots);
    for (const [variantId, picked] of units) {
      const itemId = itemIds.get(variantId) as number;
      if ((await sellUnits(trx, picked, itemId, nowIso)) !== picked.length) {
        throw new Error(`units of variant ${variantId} changed hands during checkout`);
      }
    }
    await recordOrderEvent(trx, orderId, 'order.created', 'customer', nowIso, { total: total / 100 });
    const paymentId = await this.payments.open(trx, orderId, provider, total, nowIso);

    // 8. Empty the cart and bind the key to the order.
    await removeBoughtLines(
      trx,
      lines.map((l) => l.id),
    );
    if (key !== undefined) await attachOrder(trx, userId, key, orderId);

    // 9. A variant whose stock this sale took below the threshold, announced with the reservation.
    await noteStockChanges(
      trx,
      lines.map((line) => {
        const after = taken.get(line.variant_id) as number;
        return { variantId: line.variant_id, before: after + line.quantity, after, at: now };
      }),
    );
    // The lines as the order shows them, for its answer; serial numbers would need the units read.
    const items =
      units.size > 0
        ? undefined
        : snapshots
            .map((item) => ({ ...item, id: itemIds.get(item.variant_id) as number, serial_numbers: [] }))
            .sort((a, b) => a.id - b.id);
    return { userId, orderId, paymentId, total, lines, items };
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

/** The checkout answer, as REST and MCP both give it (`total_paid` keeps the seed's name). */
export const checkoutAnswer = (result: CheckoutResult) => ({
  message: 'Checkout successful',
  total_paid: result.order.total,
  order: result.order,
  payment: result.payment,
});
