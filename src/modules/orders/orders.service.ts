import type { AppContext } from '../../context.js';
import type { Actor, OrderStatus } from '../../db/database.js';
import { forbidden, invalidField, notFound } from '../../lib/errors.js';
import { parseMoney } from '../../lib/money.js';
import type { Page, Paged } from '../../lib/pagination.js';
import { parseInstant } from '../../lib/time.js';
import { type Answer, type KeptAnswers, keptOrComputed } from '../../plugins/catalog-cache/kept-answers.js';
import type { SessionUser } from '../auth/auth.service.js';
import type { Refund } from '../payments/payments.schemas.js';
import type { PaymentsService } from '../payments/payments.service.js';
import { orderJson, ordersJson } from './order-json.js';
import { moveOrder } from './order-lifecycle.js';
import { findOrder, listOrders, type OrderFilter, type OrderRow, orderEvents } from './orders.repository.js';
import type { Order, OrderEvent, ShipmentBody } from './orders.schemas.js';
import { checkTransition, invalidTransition } from './orders.state.js';
import { insertShipment } from './shipments.repository.js';

const actorOf = (viewer: SessionUser): Actor => (viewer.isAdmin ? 'admin' : 'customer');

/** Admin list filters as the query string gives them; timestamps are checked here. */
export interface OrderQuery extends Omit<OrderFilter, 'from' | 'to'> {
  from?: string | undefined;
  to?: string | undefined;
}

export class OrdersService {
  constructor(
    private readonly ctx: AppContext,
    private readonly payments: PaymentsService,
    private readonly answers?: KeptAnswers<string, Answer>,
  ) {}

  /**
   * A page of orders as `render` turns it into bytes, with its total: the kept answer while
   * nothing it shows has changed (see KeptAnswers). A search by customer (`q`) reads users too,
   * which the kept answers do not follow, so it is never kept.
   */
  async renderedList(
    query: OrderQuery,
    page: Page,
    render: (orders: Order[]) => Buffer,
  ): Promise<Answer & { total: number }> {
    const compute = async () => {
      const { items, total } = await this.list(query, page);
      return { answer: { body: render(items), total }, keep: query.q === undefined };
    };
    const key = `list ${JSON.stringify(query)} ${page.offset} ${page.limit}`;
    const { body, total = 0 } = await keptOrComputed(this.answers, key, compute);
    return { body, total };
  }

  /** get(), as `render` turns it into bytes: the kept answer while nothing it shows has changed. */
  async rendered(viewer: SessionUser, id: number, render: (order: Order) => Buffer): Promise<Buffer> {
    const compute = async () => ({ answer: { body: render(await this.get(viewer, id)) }, keep: true });
    const key = `order ${viewer.id} ${viewer.isAdmin} ${id}`;
    return (await keptOrComputed(this.answers, key, compute)).body;
  }

  /** One order by id, unchecked: for callers that already decided the viewer may see it. */
  byId(id: number): Promise<Order> {
    return orderJson(this.ctx.db, id);
  }

  /**
   * The owner's order, or any order for an admin; someone else's is indistinguishable from none,
   * and so is an order whose checkout has not resolved (or was declined).
   */
  private async visible(viewer: SessionUser, id: number): Promise<OrderRow> {
    const row = await findOrder(this.ctx.db, id);
    if (!row || row.placed_at === null || !(viewer.isAdmin || row.user_id === viewer.id))
      throw notFound('Order');
    return row;
  }

  async get(viewer: SessionUser, id: number): Promise<Order> {
    const [order] = await ordersJson(this.ctx.db, [await this.visible(viewer, id)]);
    return order as Order;
  }

  async list(query: OrderQuery, page: Page): Promise<Paged<Order>> {
    const filter: OrderFilter = {
      ...query,
      from: query.from === undefined ? undefined : parseInstant(query.from, 'querystring:/from'),
      to: query.to === undefined ? undefined : parseInstant(query.to, 'querystring:/to'),
    };
    const { rows, total } = await listOrders(this.ctx.db, filter, page);
    return { items: await ordersJson(this.ctx.db, rows), total };
  }

  /** The order's timeline, oldest first: who did what, when. */
  async events(viewer: SessionUser, id: number): Promise<OrderEvent[]> {
    await this.visible(viewer, id);
    return (await orderEvents(this.ctx.db, id)).map((e) => ({
      type: e.type,
      at: e.created_at,
      actor: e.actor,
      data: JSON.parse(e.data) as Record<string, unknown>,
    }));
  }

  /**
   * Cancels: the owner while awaiting_payment or pending, an admin the same (until shipped). The
   * status move is the arbiter of a race with a shipment; stock and units return with it, and
   * then an authorized payment is voided or a captured one refunded in full.
   */
  async cancel(viewer: SessionUser, id: number): Promise<Order> {
    const order = await this.visible(viewer, id);
    checkTransition(viewer, order.user_id, order.status, 'cancelled');
    const actor = actorOf(viewer);
    const now = this.ctx.clock.now().toISOString();
    const moved = await this.ctx.db
      .transaction()
      .execute((trx) => moveOrder(trx, { orderId: id, from: order.status, to: 'cancelled', actor, now }));
    if (!moved)
      throw invalidTransition((await findOrder(this.ctx.db, id))?.status ?? order.status, 'cancelled');
    await this.payments.settleCancelled(id, actor);
    return this.byId(id);
  }

  /**
   * Records a shipment: an authorized payment is captured first (a failed capture is 402 and
   * nothing ships), then the order becomes shipped with its shipment, in one transaction.
   */
  async ship(viewer: SessionUser, id: number, shipment: ShipmentBody | null): Promise<Order> {
    const order = await this.visible(viewer, id);
    checkTransition(viewer, order.user_id, order.status, 'shipped');
    const actor = actorOf(viewer);
    if (await this.payments.capturable(id)) await this.payments.capture(id, undefined, actor);
    const now = this.ctx.clock.now().toISOString();
    await this.ctx.db.transaction().execute(async (trx) => {
      const data: Record<string, unknown> = {};
      if (shipment) {
        const values = { ...shipment, tracking_url: shipment.tracking_url ?? null };
        data.shipment_id = await insertShipment(trx, { order_id: id, ...values, created_at: now });
        Object.assign(data, values);
      }
      // Inserted first, so a lost race (cancelled meanwhile) rolls the shipment back too.
      if (!(await moveOrder(trx, { orderId: id, from: 'pending', to: 'shipped', actor, now, data }))) {
        throw invalidTransition((await findOrder(trx, id))?.status ?? order.status, 'shipped');
      }
    });
    return this.byId(id);
  }

  async deliver(viewer: SessionUser, id: number): Promise<Order> {
    const order = await this.visible(viewer, id);
    checkTransition(viewer, order.user_id, order.status, 'delivered');
    const now = this.ctx.clock.now().toISOString();
    const moved = await this.ctx.db
      .transaction()
      .execute((trx) =>
        moveOrder(trx, { orderId: id, from: order.status, to: 'delivered', actor: actorOf(viewer), now }),
      );
    if (!moved)
      throw invalidTransition((await findOrder(this.ctx.db, id))?.status ?? order.status, 'delivered');
    return this.byId(id);
  }

  /** PATCH /orders/{id}/status, the seed-000 form: the same moves as the dedicated routes. */
  async changeStatus(viewer: SessionUser, id: number, to: OrderStatus): Promise<Order> {
    if (to === 'cancelled') return this.cancel(viewer, id);
    if (to === 'shipped') return this.ship(viewer, id, null);
    if (to === 'delivered') return this.deliver(viewer, id);
    // awaiting_payment and pending are entered through payments only: the table refuses them here.
    const order = await this.visible(viewer, id);
    checkTransition(viewer, order.user_id, order.status, to);
    throw invalidTransition(order.status, to);
  }

  async capture(viewer: SessionUser, id: number, amount: number | undefined): Promise<Order> {
    if (!viewer.isAdmin) throw forbidden('Only an admin can capture a payment');
    await this.visible(viewer, id);
    await this.payments.capture(id, amount, actorOf(viewer));
    return this.byId(id);
  }

  async refund(
    viewer: SessionUser,
    id: number,
    request: { amount: number; reason: string | null; key: string | undefined },
  ): Promise<{ created: boolean; refund: Refund }> {
    if (!viewer.isAdmin) throw forbidden('Only an admin can refund');
    const amount = parseMoney(request.amount, '/amount');
    if (amount === 0) throw invalidField('/amount', 'must be more than 0');
    await this.visible(viewer, id);
    return this.payments.refund(id, { ...request, amount }, actorOf(viewer));
  }

  /** POST next_action.url: the customer is back from the provider's action. */
  async confirmPayment(viewer: SessionUser, paymentId: number): Promise<Order> {
    return this.byId(await this.payments.confirm(viewer, paymentId));
  }
}
