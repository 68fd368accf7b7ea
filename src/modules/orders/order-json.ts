import type { Executor } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { groupBy } from '../../lib/group-by.js';
import { type Cents, toAmount } from '../../lib/money.js';
import { paymentsOfOrdersJson } from '../payments/payment-json.js';
import type { Payment } from '../payments/payments.schemas.js';
import { findOrder, itemsWithSerials, type OrderItemRow, type OrderRow } from './orders.repository.js';
import type { Order } from './orders.schemas.js';
import { type ShipmentRow, shipmentsOfOrders } from './shipments.repository.js';

/** What an order's JSON shows besides its own row. */
export interface OrderParts {
  /** Its lines in id order, each with the serial numbers of its units. */
  items: readonly OrderItemWithSerials[];
  payment: Payment | null;
  shipments: readonly ShipmentRow[];
}

export type OrderItemWithSerials = Pick<
  OrderItemRow,
  | 'id'
  | 'product_id'
  | 'variant_id'
  | 'sku'
  | 'product_name'
  | 'variant_title'
  | 'unit_price_cents'
  | 'original_unit_price_cents'
  | 'offer_name'
  | 'quantity'
  | 'line_total_cents'
> & { serial_numbers: string[] };

/**
 * Orders as the API shows them: lines with serial numbers, payment, shipments, amounts. Read
 * through `executor`, so a transaction can describe what it is about to commit (an event's payload).
 */
export async function ordersJson(executor: Executor, rows: OrderRow[]): Promise<Order[]> {
  const ids = rows.map((r) => r.id);
  const [items, payments, shipments] = await Promise.all([
    itemsWithSerials(executor, ids),
    paymentsOfOrdersJson(executor, ids),
    shipmentsOfOrders(executor, ids),
  ]);
  const itemsByOrder = groupBy(items, (i) => i.order_id);
  const shipmentsByOrder = groupBy(shipments, (s) => s.order_id);
  return rows.map((row) =>
    orderJsonOf(row, {
      items: itemsByOrder.get(row.id) ?? [],
      payment: payments.get(row.id) ?? null,
      shipments: shipmentsByOrder.get(row.id) ?? [],
    }),
  );
}

/** An order's JSON from its row and its parts, however they were come by. */
export function orderJsonOf(row: OrderRow, parts: OrderParts): Order {
  const lines = parts.items;
  const subtotal: Cents = lines.reduce((sum, l) => sum + l.original_unit_price_cents * l.quantity, 0);
  const { payment } = parts;
  return {
    id: row.id,
    user_id: row.user_id,
    status: row.status,
    payment_status: row.payment_status,
    created_at: row.created_at,
    estimated_delivery_date: row.estimated_delivery_date,
    shipped_at: row.shipped_at,
    delivered_at: row.delivered_at,
    cancelled_at: row.cancelled_at,
    shipping_address: row.shipping_address,
    items: lines.map((item) => ({
      id: item.id,
      product_id: item.product_id,
      variant_id: item.variant_id,
      sku: item.sku,
      product_name: item.product_name,
      variant_title: item.variant_title,
      unit_price: toAmount(item.unit_price_cents),
      original_unit_price: toAmount(item.original_unit_price_cents),
      offer_name: item.offer_name,
      quantity: item.quantity,
      line_total: toAmount(item.line_total_cents),
      serial_numbers: item.serial_numbers,
    })),
    subtotal: toAmount(subtotal),
    discount_total: toAmount(subtotal - row.total_cents),
    total: toAmount(row.total_cents),
    amount_paid: payment?.amount_captured ?? 0,
    amount_refunded: payment?.amount_refunded ?? 0,
    payment,
    shipments: parts.shipments.map((s) => ({
      id: s.id,
      carrier: s.carrier,
      tracking_number: s.tracking_number,
      tracking_url: s.tracking_url,
      created_at: s.created_at,
    })),
  };
}

/** One order as the API shows it, read through `executor`. */
export async function orderJson(executor: Executor, id: number): Promise<Order> {
  const row = await findOrder(executor, id);
  if (!row) throw notFound('Order');
  const [order] = await ordersJson(executor, [row]);
  return order as Order;
}
