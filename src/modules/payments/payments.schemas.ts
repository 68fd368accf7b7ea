import { type Static, Type } from 'typebox';
import { MoneyAmount } from '../../lib/schemas.js';

const Instant = Type.String({ format: 'date-time' });

export const PaymentStatusSchema = Type.Enum(
  [
    'pending',
    'requires_action',
    'authorized',
    'captured',
    'partially_refunded',
    'refunded',
    'voided',
    'failed',
  ],
  { description: 'pending: pay later, or not answered yet' },
);

export const OrderPaymentStatusSchema = Type.Enum(
  ['unpaid', 'authorized', 'paid', 'partially_refunded', 'refunded', 'voided', 'failed'],
  { description: 'The order’s payment' },
);

export const Payment = Type.Object({
  id: Type.Integer(),
  provider: Type.String(),
  status: PaymentStatusSchema,
  amount: Type.Number({ description: 'The order total this payment is for' }),
  amount_captured: Type.Number({ description: 'Captured so far (from the ledger)' }),
  amount_refunded: Type.Number({ description: 'Refunded so far (from the ledger)' }),
  provider_reference: Type.Union([Type.String(), Type.Null()]),
  next_action: Type.Union(
    [
      Type.Object({
        type: Type.Literal('confirm'),
        url: Type.String({ description: 'POST it (as the customer) once the action is done' }),
      }),
      Type.Null(),
    ],
    { description: 'What the customer must do for a payment that requires action, else null' },
  ),
  created_at: Instant,
});
export type Payment = Static<typeof Payment>;

export const PaymentInputSchema = Type.Object(
  {
    provider: Type.Optional(
      Type.String({ minLength: 1, maxLength: 40, description: 'Default: the first enabled' }),
    ),
    token: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, description: 'A card token (test provider)' }),
    ),
  },
  { additionalProperties: false, description: 'See GET /api/payment-providers' },
);

export const Refund = Type.Object({
  id: Type.Integer(),
  amount: Type.Number(),
  reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Instant,
});
export type Refund = Static<typeof Refund>;

export const RefundBody = Type.Object(
  {
    amount: MoneyAmount('Amount'),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Why' })),
  },
  { additionalProperties: false },
);
export type RefundBody = Static<typeof RefundBody>;

export const CaptureBody = Type.Union(
  [
    Type.Object(
      { amount: Type.Optional(MoneyAmount('How much to capture (default: all that is authorized)')) },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'Optional' },
);
export type CaptureBody = Static<typeof CaptureBody>;

export const ProviderInfo = Type.Object({
  name: Type.String(),
  default: Type.Boolean({ description: 'Used by a checkout that names no provider' }),
  description: Type.String(),
  pay_later: Type.Boolean(),
  webhooks: Type.Boolean({ description: 'Whether it sends webhooks to /api/payments/webhooks/{name}' }),
  fields: Type.Array(
    Type.Object({ name: Type.String(), required: Type.Boolean(), description: Type.String() }),
    { description: 'What `payment` needs besides `provider`' },
  ),
});

export const WebhookHeaders = Type.Object({
  'webhook-id': Type.Optional(Type.String({ description: 'Standard Webhooks: the event id' })),
  'webhook-timestamp': Type.Optional(
    Type.String({ description: 'Unix seconds; more than 5 min off is refused' }),
  ),
  'webhook-signature': Type.Optional(
    Type.String({ description: 'v1,<base64 HMAC-SHA256 of id.timestamp.body>' }),
  ),
});

export const WebhookReceipt = Type.Object({
  received: Type.Boolean(),
  duplicate: Type.Boolean({ description: 'true when this event id was received before: nothing changed' }),
});

export const TestWebhookEvent = Type.Object(
  {
    id: Type.String({ description: 'The provider’s event id (evt_…): a repeat is applied once' }),
    type: Type.Union([Type.Literal('payment.authorized'), Type.Literal('payment.failed')]),
    data: Type.Object({ reference: Type.String({ description: 'The payment’s provider_reference' }) }),
  },
  { description: 'The test provider’s event; other providers send their own format' },
);
