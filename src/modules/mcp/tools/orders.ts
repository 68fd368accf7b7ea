import { Type } from 'typebox';
import { pageOf } from '../../../lib/pagination.js';
import { CheckoutBody, OrdersQuery } from '../../orders/orders.schemas.js';
import { type AnyTool, caller, pageResult, tool } from '../mcp.tool.js';
import { IdArg, ListOf } from './schemas.js';
import { OrderRow, OrderSummary, orderRow, orderSummary } from './summaries.js';

const orderLine = (o: { id: number; status: string; total: number; created_at: string }) =>
  `Order #${o.id} ${o.status}, total ${o.total.toFixed(2)}, placed ${o.created_at}`;

const [CheckoutFields] = CheckoutBody.anyOf;

/** Checkout and the signed-in user's orders, through CheckoutService and OrdersService like REST. */
export const orderTools: AnyTool[] = [
  tool({
    name: 'checkout',
    title: 'Check out the cart',
    description:
      'Buys your cart, paying with `payment` (default: pay later). Pass a new `idempotency_key` (a UUID) ' +
      'per purchase, the same to retry (replayed: true). Errors: insufficient_stock, bad_request (empty ' +
      'cart), payment_declined, payment_provider_error.',
    audience: 'user',
    readOnly: false,
    input: Type.Object(
      {
        idempotency_key: Type.String({
          minLength: 1,
          maxLength: 255,
          description: 'Unique per purchase; the same key within 24 h returns the first order',
        }),
        ...CheckoutFields.properties,
      },
      { additionalProperties: false },
    ),
    output: Type.Object({
      order: OrderSummary,
      total_paid: Type.Number(),
      replayed: Type.Boolean({
        description: 'true when this key already checked out: nothing new was bought',
      }),
    }),
    async run({ idempotency_key, ...body }, call) {
      const result = await call.services.checkout.checkout(caller(call).id, body, idempotency_key);
      const order = orderSummary(result.order);
      return {
        data: { order, total_paid: order.total, replayed: !result.created },
        summary: `${result.created ? 'Checked out' : 'Already checked out with this key'}: ${orderLine(order)}`,
      };
    },
  }),

  tool({
    name: 'list_orders',
    title: 'List your orders',
    description: 'Your orders, newest first; filter by status, payment_status; paged (limit, offset).',
    audience: 'user',
    readOnly: true,
    input: OrdersQuery,
    output: ListOf(OrderRow),
    async run(args, call) {
      const page = pageOf(args);
      const filter = { userId: caller(call).id, status: args.status, paymentStatus: args.payment_status };
      const result = await call.services.orders.list(filter, page);
      const data = pageResult(result, orderRow);
      return {
        data,
        summary: [`${data.total} order(s)`, ...data.items.map(orderLine)].join('\n'),
      };
    },
  }),

  tool({
    name: 'get_order',
    title: 'Get an order',
    description: 'One of your orders with its lines and prices as paid (admins: any order).',
    audience: 'user',
    readOnly: true,
    input: Type.Object({ order_id: IdArg('The order') }, { additionalProperties: false }),
    output: OrderSummary,
    async run(args, call) {
      const order = orderSummary(await call.services.orders.get(caller(call), args.order_id));
      return { data: order, summary: orderLine(order) };
    },
  }),

  tool({
    name: 'cancel_order',
    title: 'Cancel an order',
    description:
      'Cancels your order before it ships; its stock returns, its payment is voided or refunded. ' +
      'Otherwise invalid_transition.',
    audience: 'user',
    readOnly: false,
    input: Type.Object({ order_id: IdArg('The order to cancel') }, { additionalProperties: false }),
    output: OrderRow,
    async run(args, call) {
      const order = orderRow(
        await call.services.orders.changeStatus(caller(call), args.order_id, 'cancelled'),
      );
      return { data: order, summary: orderLine(order) };
    },
  }),
];
