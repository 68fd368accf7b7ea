import { type Static, Type } from 'typebox';
import { Pagination, RowId } from '../../lib/schemas.js';
import { OrderPaymentStatusSchema, Payment, PaymentInputSchema } from '../payments/payments.schemas.js';

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);

export const OrderStatusSchema = Type.Enum(
  ['awaiting_payment', 'pending', 'shipped', 'delivered', 'cancelled'],
  { description: 'Order status' },
);

export const OrderItem = Type.Object({
  id: Type.Integer(),
  product_id: Type.Integer(),
  variant_id: Type.Integer({ description: 'The variant bought' }),
  sku: Type.Union([Type.String(), Type.Null()], { description: 'Its SKU at checkout' }),
  product_name: Type.String({ description: 'The name at checkout' }),
  variant_title: Type.String({
    description: 'The variant’s title at checkout ("Red / M"; "Default" without options)',
  }),
  unit_price: Type.Number({ description: 'Paid per unit, offer applied' }),
  original_unit_price: Type.Number({ description: 'List price at checkout' }),
  offer_name: Type.Union([Type.String(), Type.Null()], { description: 'The offer applied, if any' }),
  quantity: Type.Integer(),
  line_total: Type.Number({ description: 'unit_price × quantity' }),
  serial_numbers: Type.Array(Type.String(), {
    description: 'Serialized units sold on this line (empty for plain stock, and once cancelled)',
  }),
});
export type OrderItem = Static<typeof OrderItem>;

export const Shipment = Type.Object({
  id: Type.Integer(),
  carrier: Type.String(),
  tracking_number: Type.String(),
  tracking_url: Type.Union([Type.String(), Type.Null()]),
  created_at: Instant,
});

export const Order = Type.Object({
  id: Type.Integer(),
  user_id: Type.Union([Type.Integer(), Type.Null()], { description: 'null once the account is deleted' }),
  status: OrderStatusSchema,
  created_at: Instant,
  estimated_delivery_date: Type.String({ format: 'date-time', description: 'created_at + DELIVERY_DAYS' }),
  shipped_at: NullableInstant,
  delivered_at: NullableInstant,
  cancelled_at: NullableInstant,
  shipping_address: Type.Union([Type.String(), Type.Null()]),
  payment_status: OrderPaymentStatusSchema,
  items: Type.Array(OrderItem),
  subtotal: Type.Number({ description: 'The lines at list price' }),
  discount_total: Type.Number({ description: 'What offers took off: subtotal - total' }),
  total: Type.Number({ description: 'Sum of the line totals' }),
  amount_paid: Type.Number({ description: 'Captured so far' }),
  amount_refunded: Type.Number({ description: 'Refunded so far' }),
  payment: Type.Union([Payment, Type.Null()], {
    description: 'null for orders placed before payments existed',
  }),
  shipments: Type.Array(Shipment),
});
export type Order = Static<typeof Order>;

export const CheckoutBody = Type.Union(
  [
    Type.Object(
      {
        shipping_address: Type.Optional(
          Type.String({ minLength: 1, maxLength: 500, description: 'Defaults to your profile address' }),
        ),
        payment: Type.Optional(PaymentInputSchema),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'Optional' },
);
export type CheckoutBody = Static<typeof CheckoutBody>;

export const CheckoutHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Makes a retry safe: the same key (within 24 h) returns the first order with 200 and creates nothing',
    }),
  ),
});

export const CheckoutResponse = Type.Object({
  message: Type.String(),
  total_paid: Type.Number({ description: 'The order total (the seed’s name)' }),
  order: Order,
  payment: Payment,
});

export const OrdersQuery = Type.Object(
  {
    status: Type.Optional(OrderStatusSchema),
    payment_status: Type.Optional(OrderPaymentStatusSchema),
    ...Pagination,
  },
  { additionalProperties: false },
);

export const AdminOrdersQuery = Type.Object(
  {
    status: Type.Optional(OrderStatusSchema),
    payment_status: Type.Optional(OrderPaymentStatusSchema),
    user_id: Type.Optional(RowId()),
    from: Type.Optional(
      Type.String({ maxLength: 40, description: 'Created at or after (ISO 8601 with an offset)' }),
    ),
    to: Type.Optional(
      Type.String({ maxLength: 40, description: 'Created at or before (ISO 8601 with an offset)' }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'An order id, or part of a username or email',
      }),
    ),
    ...Pagination,
  },
  { additionalProperties: false },
);

export const ShipmentBody = Type.Object(
  {
    carrier: Type.String({ minLength: 1, maxLength: 100, description: 'Carrier' }),
    tracking_number: Type.String({ minLength: 1, maxLength: 100, description: 'Tracking number' }),
    tracking_url: Type.Optional(
      Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://', description: 'Tracking page' }),
    ),
  },
  { additionalProperties: false },
);
export type ShipmentBody = Static<typeof ShipmentBody>;

export const OrderEvent = Type.Object({
  type: Type.String({
    description:
      'order.created, payment.authorized, payment.captured, payment.failed, payment.voided, payment.refunded, order.shipped, order.delivered, order.cancelled',
  }),
  at: Instant,
  actor: Type.Union([
    Type.Literal('customer'),
    Type.Literal('admin'),
    Type.Literal('system'),
    Type.Literal('provider'),
  ]),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type OrderEvent = Static<typeof OrderEvent>;

export const RefundHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'A repeat with the same key answers 200 with the same refund',
    }),
  ),
});

export const UpdateStatusBody = Type.Object({ status: OrderStatusSchema }, { additionalProperties: false });
