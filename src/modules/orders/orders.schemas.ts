import { type Static, Type } from 'typebox';
import { Pagination, RowId } from '../../lib/schemas.js';

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);

export const OrderStatusSchema = Type.Union(
  [Type.Literal('pending'), Type.Literal('shipped'), Type.Literal('delivered'), Type.Literal('cancelled')],
  { description: 'pending → shipped → delivered; pending → cancelled' },
);

export const OrderItem = Type.Object({
  id: Type.Integer(),
  product_id: Type.Integer(),
  product_name: Type.String({ description: 'The name at checkout' }),
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
  items: Type.Array(OrderItem),
  total: Type.Number({ description: 'Sum of the line totals' }),
});
export type Order = Static<typeof Order>;

export const CheckoutBody = Type.Union(
  [
    Type.Object(
      {
        shipping_address: Type.Optional(
          Type.String({ minLength: 1, maxLength: 500, description: 'Defaults to your profile address' }),
        ),
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
  total_paid: Type.Number(),
  order: Order,
});

export const OrdersQuery = Type.Object(
  { status: Type.Optional(OrderStatusSchema), ...Pagination },
  { additionalProperties: false },
);

export const AdminOrdersQuery = Type.Object(
  {
    status: Type.Optional(OrderStatusSchema),
    user_id: Type.Optional(RowId()),
    ...Pagination,
  },
  { additionalProperties: false },
);

export const UpdateStatusBody = Type.Object({ status: OrderStatusSchema }, { additionalProperties: false });
