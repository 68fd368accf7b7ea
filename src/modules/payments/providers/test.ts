import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { invalidField } from '../../../lib/errors.js';
import {
  type AuthorizeRequest,
  type AuthorizeResult,
  type OperationResult,
  type PaymentInput,
  type PaymentProvider,
  ProviderUnavailable,
  type ProviderWebhookEvent,
  WebhookRejected,
} from '../payment-provider.js';

/**
 * The deterministic card provider of development and tests, like its peers' dummy gateways: the
 * token decides the outcome. Stateless: the outcome a later call needs (a capture that fails,
 * a 3-D Secure payment) travels in the reference it hands out.
 */
const TOKENS = {
  tok_visa: 'authorized and captured at once',
  tok_authorize_only: 'authorized; captured at the first shipment',
  tok_declined: 'declined (402 payment_declined)',
  tok_3ds: 'requires the customer’s confirmation (3-D Secure): POST next_action.url, or the webhook',
  tok_capture_fails: 'authorized, but every capture fails',
  tok_provider_down: 'the provider errors (502 payment_provider_error)',
  tok_no_answer: 'the provider never answers (the call times out): for crash-recovery tests',
} as const;
type Token = keyof typeof TOKENS;

const isToken = (token: unknown): token is Token => typeof token === 'string' && token in TOKENS;

const reference = (request: AuthorizeRequest, kind: string) => `test_${kind}_${request.paymentId}`;

const ok = (ref: string | null): OperationResult => ({ ok: true, reference: ref });

const WEBHOOK_TYPES = new Set(['payment.authorized', 'payment.failed']);

export function testProvider(webhookSecret: string | undefined): PaymentProvider {
  const verifier = webhookSecret ? new Webhook(webhookSecret) : undefined;
  return {
    name: 'test',
    description:
      'Deterministic test cards for development: the token decides the outcome. ' +
      Object.entries(TOKENS)
        .map(([token, outcome]) => `${token}: ${outcome}`)
        .join('; '),
    fields: [{ name: 'token', required: true, description: `One of ${Object.keys(TOKENS).join(', ')}` }],
    payLater: false,
    webhooks: true,
    validate(input: PaymentInput) {
      if (!isToken(input.token)) {
        throw invalidField('/payment/token', `must be one of ${Object.keys(TOKENS).join(', ')}`);
      }
    },
    async authorize(request): Promise<AuthorizeResult> {
      const token = request.input.token as Token;
      switch (token) {
        case 'tok_visa':
          return { outcome: 'authorized', reference: reference(request, 'visa'), captured: true };
        case 'tok_authorize_only':
          return { outcome: 'authorized', reference: reference(request, 'auth'), captured: false };
        case 'tok_capture_fails':
          return { outcome: 'authorized', reference: reference(request, 'capfail'), captured: false };
        case 'tok_3ds':
          return { outcome: 'requires_action', reference: reference(request, '3ds') };
        case 'tok_declined':
          return { outcome: 'declined', reference: reference(request, 'declined'), message: 'Card declined' };
        case 'tok_provider_down':
          throw new ProviderUnavailable('The test provider is down (tok_provider_down)');
        case 'tok_no_answer':
          return new Promise<never>(() => {});
      }
    },
    async capture(ref) {
      if (ref?.startsWith('test_capfail_'))
        return { ok: false, message: 'Capture refused by the card issuer' };
      return ok(ref);
    },
    refund: async (ref, _amount, key) => ok(`${ref}_${key}`),
    void: async (ref) => ok(ref),
    // The simulated customer always completes 3-D Secure once asked.
    status: async (ref) => (ref.startsWith('test_3ds_') ? 'authorized' : 'failed'),
    parseWebhook(rawBody, headers): ProviderWebhookEvent {
      if (!verifier)
        throw new WebhookRejected('PAYMENT_TEST_WEBHOOK_SECRET is not set: test webhooks are refused');
      let event: unknown;
      try {
        event = verifier.verify(rawBody, {
          'webhook-id': headers['webhook-id'] ?? '',
          'webhook-timestamp': headers['webhook-timestamp'] ?? '',
          'webhook-signature': headers['webhook-signature'] ?? '',
        });
      } catch (error) {
        if (error instanceof WebhookVerificationError) throw new WebhookRejected(error.message);
        throw error;
      }
      const { id, type, data } = (event ?? {}) as {
        id?: unknown;
        type?: unknown;
        data?: { reference?: unknown };
      };
      if (typeof id !== 'string' || typeof type !== 'string' || !WEBHOOK_TYPES.has(type)) {
        throw invalidField('/type', 'must be payment.authorized or payment.failed, with a string id');
      }
      if (typeof data?.reference !== 'string') throw invalidField('/data/reference', 'is required');
      return { id, type: type as ProviderWebhookEvent['type'], reference: data.reference };
    },
  };
}
