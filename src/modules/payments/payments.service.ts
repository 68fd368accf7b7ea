import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { Actor, OrderPaymentStatus, PaymentEventType, PaymentStatus, Trx } from '../../db/database.js';
import { AppError, conflict, invalidField, notFound, unauthorized } from '../../lib/errors.js';
import { type Cents, parseMoney, toAmount } from '../../lib/money.js';
import { refuseNul } from '../../lib/nul.js';
import type { OrderItemWithSerials } from '../orders/order-json.js';
import {
  acceptOrder,
  moveOrder,
  placeOrder,
  recordOrderEvent,
  recordOrderEvents,
  setOrderPaymentStatus,
} from '../orders/order-lifecycle.js';
import { findOrder, overdueOrders } from '../orders/orders.repository.js';
import type { Order } from '../orders/orders.schemas.js';
import { paymentJson } from './payment-json.js';
import {
  type AuthorizeResult,
  type OperationResult,
  type PaymentInput,
  type PaymentProvider,
  ProviderUnavailable,
  WebhookRejected,
} from './payment-provider.js';
import {
  appendLedger,
  claimOperation,
  findPayment,
  findRefundByKey,
  insertPayment,
  insertRefund,
  ledgerTotals,
  lockPayment,
  markWebhookApplied,
  movePayment,
  type PaymentRow,
  paymentOfOrder,
  paymentsOfOrders,
  type RefundRow,
  releaseOperation,
  reservedForRefunds,
  settleRefund,
  storeWebhookEvent,
  unappliedWebhookEvents,
} from './payments.repository.js';
import type { Refund } from './payments.schemas.js';
import { enabledProviders } from './providers/index.js';

/** How long a provider may take before its answer counts as "unreachable" (502). */
const PROVIDER_TIMEOUT_MS = 30_000;
/** A capture or void claimed longer ago than this belongs to a process that died. */
const STALE_OPERATION_MS = 5 * 60_000;

/** The order's payment_status for each payment status: one table, kept in the same transaction. */
const ORDER_PAYMENT_STATUS: Record<PaymentStatus, OrderPaymentStatus> = {
  pending: 'unpaid',
  requires_action: 'unpaid',
  authorized: 'authorized',
  captured: 'paid',
  partially_refunded: 'partially_refunded',
  refunded: 'refunded',
  voided: 'voided',
  failed: 'failed',
};

/** Statuses whose money is held at the provider, and those with money taken. */
const UNSETTLED: readonly PaymentStatus[] = ['pending', 'requires_action'];
const CAPTURED: readonly PaymentStatus[] = ['captured', 'partially_refunded'];

export type PaymentFailure = { code: 'payment_declined' | 'payment_provider_error'; message: string };
/** Why a payment failed, as stored: a checkout's answer, or the expiry job's "payment_expired". */
type FailureRecord = { code: string; message: string };

export function paymentError(failure: PaymentFailure): AppError {
  return new AppError(failure.code === 'payment_declined' ? 402 : 502, failure.code, failure.message);
}

/** Calls a provider with a deadline: no answer in time is the same as no answer. */
async function withDeadline<T>(call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ProviderUnavailable('The payment provider did not answer in time')),
      PROVIDER_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Payments: the provider calls (always outside a transaction) and what they change (always inside
 * one, with conditional updates so racing confirmations, webhooks and admins apply once).
 */
export class PaymentsService {
  private readonly providers: Map<string, PaymentProvider>;
  private readonly lock: boolean;

  constructor(private readonly ctx: AppContext) {
    this.providers = new Map(enabledProviders(ctx.config).map((p) => [p.name, p]));
    this.lock = ctx.dialect === 'postgres';
  }

  private get defaultProvider(): PaymentProvider {
    return this.providers.values().next().value as PaymentProvider;
  }

  /** GET /api/payment-providers. */
  describe() {
    return [...this.providers.values()].map((p) => ({
      name: p.name,
      default: p === this.defaultProvider,
      description: p.description,
      pay_later: p.payLater,
      webhooks: p.webhooks,
      fields: [...p.fields],
    }));
  }

  /** The provider a checkout's `payment` names (or the default), its fields checked: 400 before anything moves. */
  providerFor(input: PaymentInput | undefined): PaymentProvider {
    const provider =
      input?.provider === undefined ? this.defaultProvider : this.providers.get(input.provider);
    if (!provider) {
      throw invalidField('/payment/provider', `must be one of ${[...this.providers.keys()].join(', ')}`);
    }
    provider.validate(input ?? {});
    return provider;
  }

  private providerOf(payment: PaymentRow): PaymentProvider {
    const provider = this.providers.get(payment.provider);
    // A provider disabled after the payment was made cannot be called; an operator re-enables it.
    if (!provider)
      throw new AppError(
        502,
        'payment_provider_error',
        `Payment provider ${payment.provider} is not enabled`,
      );
    return provider;
  }

  private now() {
    return this.ctx.clock.now().toISOString();
  }

  // ---- reading ----------------------------------------------------------------------------

  async ofOrder(orderId: number): Promise<PaymentRow | undefined> {
    return (await paymentsOfOrders(this.ctx.db, [orderId]))[0];
  }

  // ---- checkout ---------------------------------------------------------------------------

  /** Inside the checkout's transaction: the payment, pending, beside its order. */
  open(trx: Trx, orderId: number, provider: PaymentProvider, amount: Cents, now: string): Promise<number> {
    return insertPayment(trx, { order_id: orderId, provider: provider.name, amount_cents: amount, now });
  }

  /** The provider's answer to a checkout, outside any transaction; a failure is returned, not thrown. */
  async authorize(
    paymentId: number,
    amount: Cents,
    provider: PaymentProvider,
    input: PaymentInput,
  ): Promise<AuthorizeResult | { outcome: 'error'; message: string }> {
    try {
      return await withDeadline(provider.authorize({ paymentId, amount, input }));
    } catch (error) {
      if (error instanceof ProviderUnavailable) return { outcome: 'error', message: error.message };
      throw error;
    }
  }

  /**
   * Records a successful authorize answer and shows the order. Returns the order JSON as that
   * left it, unless something else changed the order since (a webhook kept for this payment).
   */
  async recordCheckout(
    checkout: {
      provider: string;
      paymentId: number;
      orderId: number;
      /** The lines the checkout wrote, when it knows them all: the answer is built without reading them. */
      items?: readonly OrderItemWithSerials[];
    },
    result: Exclude<AuthorizeResult, { outcome: 'declined' }>,
  ): Promise<Order | undefined> {
    const { paymentId, orderId, items } = checkout;
    let placed: Order | undefined;
    if (result.outcome === 'authorized') {
      placed = await this.applyAuthorized(paymentId, result.reference, result.captured, 'customer', items);
    } else {
      const now = this.now();
      placed = await this.ctx.db.transaction().execute(async (trx) => {
        // The update locks the payment before its order, as every payment change does.
        if (result.outcome === 'requires_action') {
          await movePayment(trx, paymentId, ['pending'], {
            status: 'requires_action',
            provider_reference: result.reference,
            next_action_url: `/api/payments/${paymentId}/confirm`,
            updated_at: now,
          });
        } else {
          const moved = await movePayment(trx, paymentId, ['pending'], {
            status: 'pending',
            provider_reference: result.reference,
            updated_at: now,
          });
          // Nothing captured or refunded yet: the payment was opened by this checkout.
          const payment = moved && paymentJson(moved, { captured: 0, refunded: 0 });
          return acceptOrder(trx, orderId, 'customer', now, items && payment && { items, payment });
        }
        return placeOrder(trx, orderId, now);
      });
    }
    // A webhook may have come before the reference was recorded: it was kept, and applies now.
    if (result.reference === null) return placed;
    const applied = await this.applyStoredWebhooks({
      provider: checkout.provider,
      reference: result.reference,
    });
    return applied === 0 ? placed : undefined;
  }

  /** Inside a transaction: the payment failed (declined, unreachable, expired), in the ledger. */
  async fail(
    trx: Trx,
    paymentId: number,
    failure: FailureRecord,
    reference: string | null,
    actor: Actor,
    now: string,
  ) {
    const payment = await lockPayment(trx, paymentId, this.lock);
    if (!payment) return false;
    const providerReference = reference ?? payment.provider_reference;
    const moved = await movePayment(trx, paymentId, UNSETTLED, {
      status: 'failed',
      failure_code: failure.code,
      failure_message: failure.message,
      provider_reference: providerReference,
      next_action_url: null,
      updated_at: now,
    });
    if (!moved) return false;
    await appendLedger(trx, {
      payment_id: paymentId,
      type: 'failed',
      amount_cents: payment.amount_cents,
      provider_reference: providerReference,
      event_key: `failed:${paymentId}`,
      created_at: now,
    });
    await setOrderPaymentStatus(trx, payment.order_id, 'failed', now);
    await recordOrderEvent(trx, payment.order_id, 'payment.failed', actor, now, failure);
    return true;
  }

  /** The failure a declined or unreachable checkout answered with, to replay it. */
  failureOf(payment: PaymentRow): PaymentFailure | undefined {
    const code = payment.failure_code;
    if (payment.status !== 'failed' || (code !== 'payment_declined' && code !== 'payment_provider_error')) {
      return undefined;
    }
    return { code, message: payment.failure_message ?? 'Payment failed' };
  }

  /**
   * The payment is authorized (and perhaps captured): by the checkout's answer, the customer's
   * confirmation or the provider's webhook, whichever comes first; the others change nothing.
   * Returns the order JSON when this showed the order.
   */
  private async applyAuthorized(
    paymentId: number,
    reference: string | null,
    captured: boolean,
    actor: Actor,
    items?: readonly OrderItemWithSerials[],
  ): Promise<Order | undefined> {
    const now = this.now();
    const outcome = await this.ctx.db.transaction().execute(async (trx) => {
      const payment = await lockPayment(trx, paymentId, this.lock);
      if (!payment || !UNSETTLED.includes(payment.status)) return undefined;
      const status: PaymentStatus = captured ? 'captured' : 'authorized';
      const providerReference = reference ?? payment.provider_reference;
      const moved = await movePayment(trx, paymentId, UNSETTLED, {
        status,
        provider_reference: providerReference,
        next_action_url: null,
        updated_at: now,
      });
      if (!moved) return undefined;
      const entry = {
        payment_id: paymentId,
        amount_cents: payment.amount_cents,
        provider_reference: providerReference,
        created_at: now,
      };
      const data = { amount: toAmount(payment.amount_cents) };
      const steps = captured ? (['authorized', 'captured'] as const) : (['authorized'] as const);
      await appendLedger(
        trx,
        ...steps.map((type) => ({ ...entry, type, event_key: `${type}:${paymentId}` })),
      );
      await recordOrderEvents(
        trx,
        payment.order_id,
        actor,
        now,
        steps.map((type) => ({ type: `payment.${type}`, data })),
      );
      const order =
        (await setOrderPaymentStatus(trx, payment.order_id, ORDER_PAYMENT_STATUS[status], now)) ??
        (await findOrder(trx, payment.order_id));
      if (order?.status === 'awaiting_payment') {
        // A payment still unsettled had nothing captured or refunded before this.
        const known = items && {
          items,
          payment: paymentJson(moved, { captured: captured ? payment.amount_cents : 0, refunded: 0 }),
        };
        return { placed: await acceptOrder(trx, payment.order_id, actor, now, known) };
      }
      // Money arrived for an order already cancelled (it expired first): give it back below.
      return { orphanOf: order?.status === 'cancelled' ? payment.order_id : undefined };
    });
    if (outcome?.orphanOf !== undefined) await this.settleCancelled(outcome.orphanOf, 'system');
    return outcome?.placed;
  }

  /** The payment failed at the provider's word: an order still awaiting payment is cancelled. */
  private async applyFailed(paymentId: number, actor: Actor) {
    const now = this.now();
    await this.ctx.db.transaction().execute(async (trx) => {
      const failure = {
        code: 'payment_declined',
        message: 'The payment provider reported the payment failed',
      };
      if (!(await this.fail(trx, paymentId, failure, null, actor, now))) return;
      const payment = await findPayment(trx, paymentId);
      if (payment)
        await moveOrder(trx, {
          orderId: payment.order_id,
          from: 'awaiting_payment',
          to: 'cancelled',
          actor,
          now,
        });
    });
  }

  // ---- the customer's confirmation and the provider's webhooks -------------------------------

  /** POST next_action.url: asks the provider how the customer's action went, and applies it. */
  async confirm(viewer: { id: number; isAdmin: boolean }, paymentId: number): Promise<number> {
    const payment = await findPayment(this.ctx.db, paymentId);
    const order = payment && (await findOrder(this.ctx.db, payment.order_id));
    if (!payment || !order || order.placed_at === null || !(viewer.isAdmin || order.user_id === viewer.id)) {
      throw notFound('Payment');
    }
    // Settled already (the webhook came first, or a second confirmation): nothing to do.
    if (payment.status !== 'requires_action' || payment.provider_reference === null) return order.id;
    const actor: Actor = viewer.isAdmin && order.user_id !== viewer.id ? 'admin' : 'customer';
    const status = await this.call(() =>
      this.providerOf(payment).status(payment.provider_reference as string),
    );
    if (status === 'authorized') await this.applyAuthorized(paymentId, null, false, actor);
    else if (status === 'failed') await this.applyFailed(paymentId, actor);
    else throw conflict('The payment still awaits your action at the provider');
    return order.id;
  }

  /** POST /api/payments/webhooks/{provider}: verified, stored, then applied; a repeat changes nothing. */
  async receiveWebhook(name: string, rawBody: Buffer, headers: Record<string, string | undefined>) {
    const provider = this.providers.get(name);
    if (!provider?.webhooks) throw notFound('Payment provider');
    let event: ReturnType<PaymentProvider['parseWebhook']>;
    try {
      event = provider.parseWebhook(rawBody, headers);
    } catch (error) {
      if (error instanceof WebhookRejected) throw unauthorized(`Webhook refused: ${error.message}`);
      throw error;
    }
    refuseNul(event);
    const fresh = await storeWebhookEvent(this.ctx.db, {
      provider: name,
      event_id: event.id,
      type: event.type,
      reference: event.reference,
      payload: rawBody.toString('utf8'),
      received_at: this.now(),
    });
    await this.applyStoredWebhooks({ provider: name, reference: event.reference });
    return { received: true, duplicate: !fresh };
  }

  /**
   * Applies every stored webhook whose payment is known and that was not applied yet. An event
   * for a payment not recorded yet waits here (never dropped) until its reference appears.
   */
  async applyStoredWebhooks(only?: { provider: string; reference: string }): Promise<number> {
    const events = await unappliedWebhookEvents(this.ctx.db, only);
    for (const event of events) {
      if (event.type === 'payment.authorized')
        await this.applyAuthorized(event.payment_id, null, false, 'provider');
      else if (event.type === 'payment.failed') await this.applyFailed(event.payment_id, 'provider');
      await markWebhookApplied(this.ctx.db, event.id, this.now());
    }
    return events.length;
  }

  // ---- capture, refund, void ----------------------------------------------------------------

  /** Calls a provider with a deadline; unreachable is a 502 (nothing recorded). */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(operation());
    } catch (error) {
      if (error instanceof ProviderUnavailable)
        throw new AppError(502, 'payment_provider_error', error.message);
      throw error;
    }
  }

  private async requirePayment(orderId: number): Promise<PaymentRow> {
    const payment = await this.ofOrder(orderId);
    if (!payment) throw conflict('This order has no payment (it was placed before payments existed)');
    return payment;
  }

  /** Whether the order's payment holds money that a capture would take (authorized, or pay later). */
  async capturable(orderId: number): Promise<boolean> {
    const payment = await this.ofOrder(orderId);
    return payment?.status === 'authorized';
  }

  /**
   * Takes an authorized payment's money (or records a pay-later payment's). One capture per
   * payment: a claim on the row makes a second, simultaneous one a 409 instead of a double charge.
   */
  async capture(orderId: number, amount: number | undefined, actor: Actor): Promise<void> {
    const payment = await this.requirePayment(orderId);
    const provider = this.providerOf(payment);
    const from: PaymentStatus[] = provider.payLater ? ['pending', 'authorized'] : ['authorized'];
    if (!from.includes(payment.status))
      throw conflict(`A payment that is ${payment.status} cannot be captured`);
    const cents = amount === undefined ? payment.amount_cents : parseMoney(amount, '/amount');
    if (cents === 0 || cents > payment.amount_cents) {
      throw invalidField('/amount', `must be more than 0 and at most ${toAmount(payment.amount_cents)}`);
    }
    const result = await this.withClaim(payment, from, 'capture', () =>
      provider.capture(payment.provider_reference, cents, `capture:${payment.id}`),
    );
    const now = this.now();
    await this.ctx.db.transaction().execute(async (trx) => {
      const ledger = {
        payment_id: payment.id,
        provider_reference: payment.provider_reference,
        created_at: now,
      };
      if (!result.ok) {
        await appendLedger(trx, {
          ...ledger,
          type: 'failed',
          amount_cents: cents,
          event_key: `capture-failed:${payment.id}:${randomKey()}`,
        });
        await recordOrderEvent(trx, orderId, 'payment.failed', actor, now, {
          code: 'payment_capture_failed',
          message: result.message,
        });
        await releaseOperation(trx, payment.id, 'capture');
        return;
      }
      await this.record(trx, payment, {
        from,
        status: 'captured',
        entry: 'captured',
        amount: cents,
        key: `captured:${payment.id}`,
        actor,
        now,
      });
    });
    if (!result.ok)
      throw new AppError(402, 'payment_capture_failed', `The capture failed: ${result.message}`);
  }

  /**
   * Claims the payment for one provider operation, calls the provider, and gives the claim back if
   * the provider could not be reached (the caller settles it otherwise, with what happened).
   */
  private async withClaim(
    payment: PaymentRow,
    from: readonly PaymentStatus[],
    operation: string,
    call: () => Promise<OperationResult>,
  ): Promise<OperationResult> {
    const now = this.ctx.clock.now();
    const stale = new Date(now.getTime() - STALE_OPERATION_MS).toISOString();
    if (!(await claimOperation(this.ctx.db, payment.id, from, operation, now.toISOString(), stale))) {
      throw conflict(`Another ${operation} of this payment is in progress or it is no longer possible`);
    }
    try {
      return await this.call(call);
    } catch (error) {
      await releaseOperation(this.ctx.db, payment.id, operation);
      throw error;
    }
  }

  /**
   * Gives money back. Under a lock on the payment, the refund must fit beside everything refunded
   * or being refunded; it is reserved (pending) before the provider is called, so ten admins at
   * once can never refund more than was captured.
   */
  async refund(
    orderId: number,
    request: { amount: Cents; reason: string | null; key: string | undefined },
    actor: Actor,
  ): Promise<{ created: boolean; refund: Refund }> {
    const payment = await this.requirePayment(orderId);
    const now = this.now();
    const reserved = await this.ctx.db.transaction().execute(async (trx) => {
      await lockPayment(trx, payment.id, this.lock);
      if (request.key !== undefined) {
        const earlier = await findRefundByKey(trx, payment.id, request.key);
        if (earlier) return { created: false, row: sameRefund(earlier, request) };
      }
      const captured = (await ledgerTotals(trx, [payment.id])).get(payment.id)?.captured ?? 0;
      const available = captured - (await reservedForRefunds(trx, payment.id));
      if (request.amount > available) {
        throw new AppError(
          409,
          'refund_exceeds_captured',
          `Only ${toAmount(Math.max(available, 0))} can still be refunded (captured ${toAmount(captured)})`,
          { captured: toAmount(captured), refundable: toAmount(Math.max(available, 0)) },
        );
      }
      const row = await insertRefund(trx, {
        payment_id: payment.id,
        amount_cents: request.amount,
        reason: request.reason,
        status: 'pending',
        idempotency_key: request.key ?? null,
        provider_reference: null,
        created_at: now,
      });
      return { created: true, row };
    });
    if (!reserved.created) return { created: false, refund: toRefund(reserved.row) };
    const refund = reserved.row;
    let result: OperationResult;
    try {
      result = await this.call(() =>
        this.providerOf(payment).refund(
          payment.provider_reference,
          refund.amount_cents,
          `refund:${refund.id}`,
        ),
      );
    } catch (error) {
      result = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    await this.ctx.db.transaction().execute(async (trx) => {
      await lockPayment(trx, payment.id, this.lock);
      if (!result.ok) return settleRefund(trx, refund.id, 'failed', null);
      await settleRefund(trx, refund.id, 'succeeded', result.reference);
      const totals = (await ledgerTotals(trx, [payment.id])).get(payment.id) ?? { captured: 0, refunded: 0 };
      const refunded = totals.refunded + refund.amount_cents;
      await this.record(trx, payment, {
        from: CAPTURED,
        status: refunded >= totals.captured ? 'refunded' : 'partially_refunded',
        entry: 'refunded',
        amount: refund.amount_cents,
        key: `refunded:${refund.id}`,
        reference: result.reference,
        actor,
        now,
        data: { refund_id: refund.id, amount: toAmount(refund.amount_cents), reason: refund.reason },
      });
    });
    if (!result.ok) throw new AppError(502, 'payment_provider_error', `The refund failed: ${result.message}`);
    return { created: true, refund: toRefund(refund) };
  }

  /**
   * After an order was cancelled: a held authorization is voided, captured money refunded in
   * full. A provider that cannot be reached leaves the payment as it is for an admin to settle.
   */
  async settleCancelled(orderId: number, actor: Actor): Promise<void> {
    const payment = await this.ofOrder(orderId);
    if (!payment) return;
    if (CAPTURED.includes(payment.status)) {
      const totals = (await ledgerTotals(this.ctx.db, [payment.id])).get(payment.id);
      const remaining = (totals?.captured ?? 0) - (totals?.refunded ?? 0);
      if (remaining > 0)
        await this.refund(
          orderId,
          { amount: remaining, reason: 'Order cancelled', key: 'order-cancelled' },
          actor,
        );
      return;
    }
    const from: PaymentStatus[] = ['pending', 'requires_action', 'authorized'];
    if (!from.includes(payment.status)) return;
    const provider = this.providerOf(payment);
    const result = await this.withClaim(payment, from, 'void', () =>
      provider.void(payment.provider_reference, `void:${payment.id}`),
    );
    const now = this.now();
    await this.ctx.db.transaction().execute(async (trx) => {
      if (!result.ok) return releaseOperation(trx, payment.id, 'void');
      await this.record(trx, payment, {
        from,
        status: 'voided',
        entry: 'voided',
        amount: payment.amount_cents,
        key: `voided:${payment.id}`,
        actor,
        now,
      });
    });
  }

  /**
   * One money movement after a provider operation, in the caller's transaction: the payment's
   * status (only from `from`; the claim is released), its ledger entry, the order's payment
   * status and timeline. false when the payment had moved on meanwhile.
   */
  private async record(
    trx: Trx,
    payment: PaymentRow,
    movement: {
      from: readonly PaymentStatus[];
      status: PaymentStatus;
      entry: PaymentEventType;
      amount: Cents;
      key: string;
      actor: Actor;
      now: string;
      reference?: string | null;
      data?: Record<string, unknown>;
    },
  ): Promise<boolean> {
    const { status, now } = movement;
    const changes = { status, operation: null, operation_started_at: null, updated_at: now };
    if (!(await movePayment(trx, payment.id, movement.from, changes))) return false;
    await appendLedger(trx, {
      payment_id: payment.id,
      type: movement.entry,
      amount_cents: movement.amount,
      provider_reference: movement.reference ?? payment.provider_reference,
      event_key: movement.key,
      created_at: now,
    });
    await setOrderPaymentStatus(trx, payment.order_id, ORDER_PAYMENT_STATUS[status], now);
    const data = movement.data ?? { amount: toAmount(movement.amount) };
    await recordOrderEvent(trx, payment.order_id, `payment.${movement.entry}`, movement.actor, now, data);
    return true;
  }

  // ---- expiry ---------------------------------------------------------------------------------

  /**
   * Cancels orders left awaiting_payment past PAYMENT_TIMEOUT and returns their stock: 3-D Secure
   * never completed, or a process died between the order's commit and the provider's answer.
   * Each cancellation is a conditional update, so with several processes each order expires once.
   */
  async expireOverdue(): Promise<number> {
    const now = this.ctx.clock.now();
    const cutoff = new Date(now.getTime() - this.ctx.config.paymentTimeoutSeconds * 1000).toISOString();
    const at = now.toISOString();
    let expired = 0;
    for (const { id } of await overdueOrders(this.ctx.db, cutoff, 100)) {
      const won = await this.ctx.db.transaction().execute(async (trx) => {
        // The payment row first, as every payment change locks it before its order: no deadlock
        // with a webhook authorizing this very payment.
        const payment = await paymentOfOrder(trx, id);
        if (payment) await lockPayment(trx, payment.id, this.lock);
        const move = {
          orderId: id,
          from: 'awaiting_payment',
          to: 'cancelled',
          actor: 'system',
          now: at,
        } as const;
        if (!(await moveOrder(trx, { ...move, data: { reason: 'payment_timeout' } }))) return false;
        const failure = { code: 'payment_expired', message: 'The payment was not completed in time' };
        if (payment) await this.fail(trx, payment.id, failure, null, 'system', at);
        return true;
      });
      if (won) expired += 1;
    }
    return expired;
  }
}

const randomKey = () => randomUUID();

function toRefund(row: RefundRow): Refund {
  return { id: row.id, amount: toAmount(row.amount_cents), reason: row.reason, created_at: row.created_at };
}

/** A repeat with the same Idempotency-Key must be the same refund; anything else reuses the key. */
function sameRefund(row: RefundRow, request: { amount: Cents; reason: string | null }): RefundRow {
  if (row.amount_cents !== request.amount || row.reason !== request.reason) {
    throw new AppError(409, 'idempotency_key_reused', 'This Idempotency-Key was used for a different refund');
  }
  return row;
}
