import { Type } from 'typebox';
import { pageOf } from '../../../lib/pagination.js';
import { Message } from '../../../lib/schemas.js';
import { InventoryItem, InventoryQuery } from '../../insights/insights.schemas.js';
import { CreateOfferBody, Offer } from '../../offers/offers.schemas.js';
import { ShipmentBody, UpdateStatusBody } from '../../orders/orders.schemas.js';
import { RefundBody } from '../../payments/payments.schemas.js';
import { SeedProductBody, UpdateProductBody } from '../../products/products.schemas.js';
import { type AnyTool, caller, pageResult, tool } from '../mcp.tool.js';
import { line } from './catalog.js';
import { IdArg, ListOf } from './schemas.js';
import { OrderRow, orderRow, ProductSummary, productSummary } from './summaries.js';

/** Store management, listed to admins only; the same services as the admin REST routes. */
export const adminTools: AnyTool[] = [
  tool({
    name: 'inventory_report',
    title: 'Inventory report',
    description:
      'Per variant (with its product): stock, units sold in 30 days, daily velocity, days of cover (null: ' +
      'nothing sold) and `reorder` when stock < low_stock_threshold or cover < 7 days. Most urgent first.',
    audience: 'admin',
    readOnly: true,
    input: InventoryQuery,
    output: ListOf(InventoryItem),
    async run(args, { services }) {
      const page = pageOf(args);
      const result = await services.insights.inventory(args, page.limit, page.offset);
      return {
        data: pageResult(result, (item) => item),
        summary: [
          `${result.total} variant(s)`,
          ...result.items.map(
            (i) =>
              `#${i.product_id} ${i.name}${i.variant_title === 'Default' ? '' : ` (${i.variant_title}, variant ${i.variant_id})`}: stock ${i.stock}, sold ${i.sold_last_30_days}/30d, ` +
              `cover ${i.days_of_cover ?? '∞'} d${i.reorder ? ', REORDER' : ''}`,
          ),
        ].join('\n'),
      };
    },
  }),

  tool({
    name: 'create_product',
    title: 'Create a product',
    description:
      'Adds a product to the catalog (with one default variant; options and variants are set over REST).',
    audience: 'admin',
    readOnly: false,
    additive: true,
    input: SeedProductBody,
    output: ProductSummary,
    async run(args, { services }) {
      const product = productSummary(await services.products.create(args));
      return { data: product, summary: `Created ${line(product)}` };
    },
  }),

  tool({
    name: 'update_product',
    title: 'Update a product',
    description: 'Changes the given fields of a product; offer_id null detaches its offer.',
    audience: 'admin',
    readOnly: false,
    input: Type.Object(
      { product_id: IdArg('The product to change'), ...UpdateProductBody.properties },
      { additionalProperties: false },
    ),
    output: ProductSummary,
    async run({ product_id, ...changes }, { services }) {
      const product = productSummary(await services.products.update(product_id, changes));
      return { data: product, summary: `Updated ${line(product)}` };
    },
  }),

  tool({
    name: 'create_offer',
    title: 'Create an offer',
    description:
      'Creates a time-limited discount: name, discount_percent (0 < p <= 20), start_time and end_time as ' +
      'ISO 8601 with an offset. Attach it to products with apply_offer.',
    audience: 'admin',
    readOnly: false,
    additive: true,
    input: CreateOfferBody,
    output: Offer,
    async run(args, { services }) {
      const offer = await services.offers.create(args);
      return {
        data: offer,
        summary: `Created offer #${offer.id} ${offer.name} -${offer.discount_percent}% ${offer.start_time} to ${offer.end_time}`,
      };
    },
  }),

  tool({
    name: 'apply_offer',
    title: 'Apply an offer to a product',
    description: 'Puts a product on an offer (a product has at most one offer; this replaces it).',
    audience: 'admin',
    readOnly: false,
    input: Type.Object(
      { offer_id: IdArg('The offer'), product_id: IdArg('The product') },
      { additionalProperties: false },
    ),
    output: Message,
    async run(args, { services }) {
      const result = await services.offers.apply(args.offer_id, args.product_id);
      return { data: result, summary: result.message };
    },
  }),

  tool({
    name: 'update_order_status',
    title: 'Move an order along',
    description:
      'Sets an order status: pending → shipped → delivered, or → cancelled before shipping (stock returns). ' +
      'Other moves fail with invalid_transition.',
    audience: 'admin',
    readOnly: false,
    input: Type.Object(
      { order_id: IdArg('The order'), ...UpdateStatusBody.properties },
      { additionalProperties: false },
    ),
    output: OrderRow,
    async run(args, call) {
      const order = orderRow(
        await call.services.orders.changeStatus(caller(call), args.order_id, args.status),
      );
      return { data: order, summary: `Order #${order.id} is now ${order.status}` };
    },
  }),

  tool({
    name: 'ship_order',
    title: 'Ship an order',
    description:
      'Ships a pending order with its tracking; an authorized payment is captured first ' +
      '(payment_capture_failed: nothing ships).',
    audience: 'admin',
    readOnly: false,
    input: Type.Object(
      { order_id: IdArg('The order'), ...ShipmentBody.properties },
      { additionalProperties: false },
    ),
    output: OrderRow,
    async run({ order_id, ...shipment }, call) {
      const order = orderRow(await call.services.orders.ship(caller(call), order_id, shipment));
      return {
        data: order,
        summary: `Order #${order.id} shipped with ${shipment.carrier} ${shipment.tracking_number}`,
      };
    },
  }),

  tool({
    name: 'refund_order',
    title: 'Refund an order',
    description:
      'Refunds part of what was captured (refund_exceeds_captured beyond); a repeated idempotency_key ' +
      'returns the same refund.',
    audience: 'admin',
    readOnly: false,
    input: Type.Object(
      {
        order_id: IdArg('The order'),
        ...RefundBody.properties,
        idempotency_key: Type.Optional(
          Type.String({ minLength: 1, maxLength: 255, description: 'For safe retries' }),
        ),
      },
      { additionalProperties: false },
    ),
    output: Type.Object({ id: Type.Integer(), amount: Type.Number(), replayed: Type.Boolean() }),
    async run({ order_id, amount, reason, idempotency_key }, call) {
      const request = { amount, reason: reason ?? null, key: idempotency_key };
      const result = await call.services.orders.refund(caller(call), order_id, request);
      return {
        data: { id: result.refund.id, amount: result.refund.amount, replayed: !result.created },
        summary: `Refund #${result.refund.id} of ${result.refund.amount.toFixed(2)} on order #${order_id}`,
      };
    },
  }),
];
