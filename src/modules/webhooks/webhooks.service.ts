import type { AppContext } from '../../context.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import type { Page, Paged } from '../../lib/pagination.js';
import { eventsBySeq } from '../events/events.repository.js';
import { type DeliveryRow, findDelivery, listDeliveries, requeue } from './deliveries.repository.js';
import { generateSecret, ROTATION_GRACE_MS } from './signing.js';
import { assertWebhookUrl } from './url-guard.js';
import {
  deleteEndpoint,
  type EndpointRow,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  replaceSubscriptions,
  subscriptionsOf,
  updateEndpoint,
} from './webhooks.repository.js';
import type { CreateWebhookBody, Delivery, UpdateWebhookBody, WebhookEndpoint } from './webhooks.schemas.js';

export class WebhooksService {
  constructor(private readonly ctx: AppContext) {}

  private async toEndpoints(rows: readonly EndpointRow[]): Promise<WebhookEndpoint[]> {
    const types = await subscriptionsOf(
      this.ctx.db,
      rows.map((r) => r.id),
    );
    return rows.map((row) => ({
      id: row.id,
      url: row.url,
      events: types.get(row.id) ?? [],
      enabled: row.enabled === 1,
      description: row.description,
      created_at: row.created_at,
    }));
  }

  private async endpoint(id: number): Promise<EndpointRow> {
    const row = await findEndpoint(this.ctx.db, id);
    if (!row) throw notFound('Webhook endpoint');
    return row;
  }

  async get(id: number): Promise<WebhookEndpoint> {
    return (await this.toEndpoints([await this.endpoint(id)]))[0]!;
  }

  async list(page: Page): Promise<Paged<WebhookEndpoint>> {
    const { rows, total } = await listEndpoints(this.ctx.db, page);
    return { items: await this.toEndpoints(rows), total };
  }

  /** The endpoint with its secret: the only time the secret is shown. */
  async create(input: CreateWebhookBody): Promise<WebhookEndpoint & { secret: string }> {
    const url = await assertWebhookUrl(input.url, this.ctx.config.webhooks.allowPrivate);
    const now = this.ctx.clock.now().toISOString();
    const secret = generateSecret();
    const id = await this.ctx.db.transaction().execute(async (trx) => {
      const endpointId = await insertEndpoint(trx, {
        url,
        description: input.description ?? null,
        enabled: 1,
        secret,
        previous_secret: null,
        previous_secret_expires_at: null,
        created_at: now,
        updated_at: now,
      });
      await replaceSubscriptions(trx, endpointId, subscribed(input.events));
      return endpointId;
    });
    return { ...(await this.get(id)), secret };
  }

  async update(id: number, input: UpdateWebhookBody): Promise<WebhookEndpoint> {
    const url =
      input.url === undefined
        ? undefined
        : await assertWebhookUrl(input.url, this.ctx.config.webhooks.allowPrivate);
    await this.ctx.db.transaction().execute(async (trx) => {
      const changed = await updateEndpoint(trx, id, {
        ...(url !== undefined && { url }),
        ...(input.enabled !== undefined && { enabled: input.enabled ? 1 : 0 }),
        ...(input.description !== undefined && { description: input.description }),
        updated_at: this.ctx.clock.now().toISOString(),
      });
      if (!changed) throw notFound('Webhook endpoint');
      if (input.events !== undefined) await replaceSubscriptions(trx, id, subscribed(input.events));
    });
    return this.get(id);
  }

  async remove(id: number): Promise<void> {
    if (!(await deleteEndpoint(this.ctx.db, id))) throw notFound('Webhook endpoint');
  }

  /**
   * A new secret signs from now on; the one it replaces keeps signing too for 24 h (deliveries
   * carry both signatures), so receivers can switch without losing a delivery.
   */
  async rotateSecret(id: number): Promise<{ secret: string }> {
    const now = this.ctx.clock.now();
    const secret = generateSecret();
    await this.ctx.db.transaction().execute(async (trx) => {
      const row = await findEndpoint(trx, id, this.ctx.dialect === 'postgres');
      if (!row) throw notFound('Webhook endpoint');
      await updateEndpoint(trx, id, {
        secret,
        previous_secret: row.secret,
        previous_secret_expires_at: new Date(now.getTime() + ROTATION_GRACE_MS).toISOString(),
        updated_at: now.toISOString(),
      });
    });
    return { secret };
  }

  async deliveries(endpointId: number, page: Page): Promise<Paged<Delivery>> {
    await this.endpoint(endpointId);
    const { rows, total } = await listDeliveries(this.ctx.db, endpointId, page);
    return { items: await this.toDeliveries(rows), total };
  }

  /** Makes a delivery due now (the dispatcher is woken by the caller). */
  async retry(id: number): Promise<Delivery> {
    const row = await findDelivery(this.ctx.db, id);
    if (!row) throw notFound('Webhook delivery');
    const endpoint = await this.endpoint(row.endpoint_id);
    if (endpoint.enabled !== 1) {
      throw new AppError(409, 'conflict', 'The endpoint is disabled; enable it (PATCH enabled: true) first');
    }
    if (!(await requeue(this.ctx.db, row, this.ctx.clock.now().toISOString()))) {
      throw conflict('This delivery is being attempted right now; look again in a few seconds');
    }
    const updated = await findDelivery(this.ctx.db, id);
    return (await this.toDeliveries([updated ?? row]))[0]!;
  }

  private async toDeliveries(rows: readonly DeliveryRow[]): Promise<Delivery[]> {
    const events = new Map(
      (
        await eventsBySeq(
          this.ctx.db,
          rows.map((r) => r.event_seq),
        )
      ).map((e) => [e.seq, e]),
    );
    return rows.map((row) => ({
      id: row.id,
      event_id: events.get(row.event_seq)?.id ?? '',
      event_type: events.get(row.event_seq)?.type ?? '',
      status: row.status,
      attempts: row.attempts,
      last_status_code: row.last_status_code,
      last_error: row.last_error,
      next_attempt_at: row.status === 'pending' ? row.next_attempt_at : null,
      last_attempt_at: row.last_attempt_at,
      created_at: row.created_at,
    }));
  }
}

/** "*" stands alone: with it, the other types add nothing. */
const subscribed = (events: readonly string[]) => (events.includes('*') ? ['*'] : [...events]);
