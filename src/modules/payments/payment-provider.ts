import type { Cents } from '../../lib/money.js';

/**
 * What every payment provider implements. Mercato calls these outside any database transaction
 * and records what they answer; a provider never touches the database. Adding a provider (Stripe,
 * Adyen) is one file implementing this and one line in providers/index.ts.
 */
export interface PaymentProvider {
  readonly name: string;
  /** For GET /api/payment-providers: what a checkout must send in `payment`. */
  readonly description: string;
  readonly fields: readonly ProviderField[];
  /** Pay later: nothing is authorized at checkout; an admin records the money with a capture. */
  readonly payLater: boolean;
  /** Whether the provider sends webhooks (and so whether its secret is configured). */
  readonly webhooks: boolean;

  /** Checks the checkout's `payment` fields before anything is reserved; throws a 400 if wrong. */
  validate(input: PaymentInput): void;
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** Takes the money of an authorization (all or part of it). */
  capture(reference: string | null, amount: Cents, idempotencyKey: string): Promise<OperationResult>;
  refund(reference: string | null, amount: Cents, idempotencyKey: string): Promise<OperationResult>;
  /** Releases an authorization (or abandons one that awaits the customer's action). */
  void(reference: string | null, idempotencyKey: string): Promise<OperationResult>;
  /** What the provider says now: used when the customer comes back from a required action. */
  status(reference: string): Promise<ProviderPaymentStatus>;
  /** Verifies and reads an inbound webhook; throws WebhookRejected when it is not authentic. */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | undefined>): ProviderWebhookEvent;
}

export interface ProviderField {
  name: string;
  required: boolean;
  description: string;
}

/** The checkout body's `payment` object; `provider` picks the provider, the rest is its own. */
export interface PaymentInput {
  provider?: string | undefined;
  token?: string | undefined;
}

export interface AuthorizeRequest {
  /** Our payment id: providers use it for their idempotency key and metadata. */
  paymentId: number;
  amount: Cents;
  input: PaymentInput;
}

export type AuthorizeResult =
  /** Money is held (and, when `captured`, already taken). */
  | { outcome: 'authorized'; reference: string; captured: boolean }
  /** The customer must act (3-D Secure); the provider or the customer's confirmation settles it. */
  | { outcome: 'requires_action'; reference: string }
  /** Nothing to authorize now (pay later). */
  | { outcome: 'pay_later'; reference: string | null }
  | { outcome: 'declined'; reference: string | null; message: string };

export type OperationResult = { ok: true; reference: string | null } | { ok: false; message: string };

export type ProviderPaymentStatus = 'pending' | 'requires_action' | 'authorized' | 'failed';

export interface ProviderWebhookEvent {
  /** The provider's event id: the same event delivered twice is applied once. */
  id: string;
  type: 'payment.authorized' | 'payment.failed';
  /** The payment's provider_reference. */
  reference: string;
}

/** The provider could not be reached or answered with an error: 502, and the outcome is unknown. */
export class ProviderUnavailable extends Error {}

/** A webhook whose signature or timestamp does not verify: 401, nothing stored. */
export class WebhookRejected extends Error {}
