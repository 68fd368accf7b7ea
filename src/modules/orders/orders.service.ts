import type { AppContext } from '../../context.js';
import type { Executor, OrderStatus, Trx } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { toAmount } from '../../lib/money.js';
import type { Page, Paged } from '../../lib/pagination.js';
import type { SessionUser } from '../auth/auth.service.js';
import { recordEvent } from '../events/record.js';
import { releaseUnits, serialsOfItems } from '../units/units.repository.js';
import {
  findOrder,
  itemsOfOrders,
  listOrders,
  moveStatus,
  type OrderFilter,
  type OrderRow,
  returnStock,
} from './orders.repository.js';
import type { Order } from './orders.schemas.js';
import { checkTransition, invalidTransition, STAMPS, STATUS_EVENTS } from './orders.state.js';

// Map.groupBy arrives in Node 21; we support Node 20.
function groupBy<T, K>(values: T[], key: (value: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const value of values) {
    const k = key(value);
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}

export class OrdersService {
  constructor(private readonly ctx: AppContext) {}

  /**
   * Orders as the API shows them: each with its line snapshots and their serial numbers. Read
   * through `executor`, so a transaction can describe what it is about to commit (events).
   */
  private async toOrders(executor: Executor, rows: OrderRow[]): Promise<Order[]> {
    const items = await itemsOfOrders(
      executor,
      rows.map((r) => r.id),
    );
    const serials = await serialsOfItems(
      executor,
      items.map((i) => i.id),
    );
    const serialsByItem = groupBy(serials, (s) => s.order_item_id);
    const itemsByOrder = groupBy(items, (i) => i.order_id);
    return rows.map((row) => ({
      id: row.id,
      user_id: row.user_id,
      status: row.status,
      created_at: row.created_at,
      estimated_delivery_date: row.estimated_delivery_date,
      shipped_at: row.shipped_at,
      delivered_at: row.delivered_at,
      cancelled_at: row.cancelled_at,
      shipping_address: row.shipping_address,
      items: (itemsByOrder.get(row.id) ?? []).map((item) => ({
        id: item.id,
        product_id: item.product_id,
        product_name: item.product_name,
        unit_price: toAmount(item.unit_price_cents),
        original_unit_price: toAmount(item.original_unit_price_cents),
        offer_name: item.offer_name,
        quantity: item.quantity,
        line_total: toAmount(item.line_total_cents),
        serial_numbers: (serialsByItem.get(item.id) ?? []).map((s) => s.serial_number),
      })),
      total: toAmount(row.total_cents),
    }));
  }

  /** One order by id, unchecked: for callers that already decided the viewer may see it. */
  async byId(id: number, executor: Executor = this.ctx.db): Promise<Order> {
    const row = await findOrder(executor, id);
    if (!row) throw notFound('Order');
    const [order] = await this.toOrders(executor, [row]);
    return order as Order;
  }

  /** The owner's order, or any order for an admin; someone else's is indistinguishable from none. */
  async get(viewer: SessionUser, id: number): Promise<Order> {
    const row = await findOrder(this.ctx.db, id);
    if (!row || !(viewer.isAdmin || row.user_id === viewer.id)) throw notFound('Order');
    const [order] = await this.toOrders(this.ctx.db, [row]);
    return order as Order;
  }

  async list(filter: OrderFilter, page: Page): Promise<Paged<Order>> {
    const { rows, total } = await listOrders(this.ctx.db, filter, page);
    return { items: await this.toOrders(this.ctx.db, rows), total };
  }

  /**
   * Moves an order along the transition table (orders.state.ts), which also says who may make
   * each move: REST and MCP both come here, so neither can let a customer ship their own order.
   * The status update is conditional on the status just read, so of two racing changes only one
   * applies, and a cancellation returns stock and units in the same transaction: never twice.
   */
  async changeStatus(actor: SessionUser, id: number, to: OrderStatus): Promise<Order> {
    const at = this.ctx.clock.now();
    const now = at.toISOString();
    return this.ctx.db.transaction().execute(async (trx) => {
      const order = await findOrder(trx, id);
      if (!order || !(actor.isAdmin || order.user_id === actor.id)) throw notFound('Order');
      // No move enters pending; saying so here also narrows `to` for STAMPS.
      if (to === 'pending') throw invalidTransition(order.status, to);
      checkTransition(actor, order.user_id, order.status, to);
      if (!(await moveStatus(trx, id, order.status, to, STAMPS[to], now))) {
        const current = await findOrder(trx, id);
        throw invalidTransition(current?.status ?? order.status, to);
      }
      if (to === 'cancelled') await this.restock(trx, id, now);
      const changed = await this.byId(id, trx);
      await recordEvent(trx, { type: STATUS_EVENTS[to], data: changed, at });
      return changed;
    });
  }

  /** Returns a cancelled order's stock and serialized units, in product order (the lock order of checkout). */
  private async restock(trx: Trx, orderId: number, now: string): Promise<void> {
    const items = (await itemsOfOrders(trx, [orderId])).sort((a, b) => a.product_id - b.product_id);
    for (const item of items) {
      await returnStock(trx, item.product_id, item.quantity, now);
      await releaseUnits(trx, item.id);
    }
  }
}
