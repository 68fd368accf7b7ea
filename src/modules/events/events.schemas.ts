import { type Static, Type } from 'typebox';
import { Pagination } from '../../lib/schemas.js';
import type { InventoryItem } from '../insights/insights.schemas.js';
import type { Order } from '../orders/orders.schemas.js';
import type { Product } from '../products/products.schemas.js';

/** Every event type of the contract; webhook endpoints subscribe to these (or "*"). */
export const EVENT_TYPES = [
  'order.created',
  'order.paid',
  'order.cancelled',
  'order.shipped',
  'order.delivered',
  'order.refunded',
  'product.created',
  'product.updated',
  'product.archived',
  'inventory.low_stock',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What each event carries: the resource as the API shows it. */
export interface EventData {
  'order.created': Order;
  'order.paid': Order;
  'order.cancelled': Order;
  'order.shipped': Order;
  'order.delivered': Order;
  'order.refunded': Order;
  'product.created': Product;
  'product.updated': Product;
  'product.archived': Product;
  'inventory.low_stock': InventoryItem;
}

export const EventTypeSchema = Type.Unsafe<EventType>(
  Type.Union(
    EVENT_TYPES.map((t) => Type.Literal(t)),
    { description: 'An event type' },
  ),
);

export const Event = Type.Object({
  id: Type.String({ description: '"evt_…": the webhook-id of its deliveries, the same on every retry' }),
  type: EventTypeSchema,
  created_at: Type.String({ format: 'date-time' }),
  data: Type.Unknown({
    description: 'The resource as the API shows it: an order, a product, or an inventory (stock) row',
  }),
});
export type Event = Static<typeof Event>;

export const EventsQuery = Type.Object(
  {
    type: Type.Optional(EventTypeSchema),
    from: Type.Optional(
      Type.String({ description: 'Only events at or after this instant (ISO 8601 with an offset)' }),
    ),
    ...Pagination,
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;
