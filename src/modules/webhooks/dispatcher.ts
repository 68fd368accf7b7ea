import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebhookConfig } from '../../config.js';
import type { DialectName } from '../../db/connect.js';
import type { Db } from '../../db/database.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import type { Clock } from '../../lib/clock.js';
import { type EventRow, eventsBySeq } from '../events/events.repository.js';
import { retryDelayMs } from './backoff.js';
import { anyDue, type ClaimedDelivery, claimDue, release, settle } from './deliveries.repository.js';
import { type AttemptResult, WebhookSender } from './sender.js';
import { signedHeaders } from './signing.js';
import { type EndpointRow, endpointsByIds, updateEndpoint } from './webhooks.repository.js';

export interface DispatcherDeps {
  db: Db;
  dialect: DialectName;
  clock: Clock;
  config: WebhookConfig;
  log: Pick<FastifyBaseLogger, 'warn' | 'error'>;
}

/** The body of every delivery of an event: built from the stored JSON text, byte for byte the same on each retry. */
const deliveryBody = (event: EventRow): string =>
  `{"id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)},"created_at":${JSON.stringify(event.created_at)},"data":${event.data}}`;

/**
 * Delivers webhooks from the outbox, off the request path. Each tick claims as many due
 * deliveries as it has free slots (claims are short autocommit statements, no transaction is
 * held while a receiver answers); each delivery runs on its own, so a receiver that never
 * answers holds one slot for at most the timeout, never the others.
 */
export class WebhookDispatcher {
  private agent: WebhookSender | undefined;
  private readonly inFlight = new Map<
    number,
    { claim: ClaimedDelivery; stop: AbortController; done: Promise<void> }
  >();
  private running = false;
  private ticking: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Its connections live from the first delivery until stop(). */
  private sender(): WebhookSender {
    this.agent ??= new WebhookSender(this.deps.config);
    return this.agent;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /** Look for due deliveries now (after a manual retry, or when a slot frees up). */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (!this.running) return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.timer = setTimeout(() => this.wake(), this.deps.config.pollIntervalMs);
      }
    });
  }

  /** Stops claiming, interrupts deliveries in flight and gives their claims back for another process. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    for (const { stop } of this.inFlight.values()) stop.abort();
    await Promise.all([...this.inFlight.values()].map((d) => d.done));
    await this.agent?.close();
    this.agent = undefined;
  }

  /** Delivers everything due now and waits for the outcomes (tests drive the dispatcher with it). */
  async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.claim(this.deps.config.concurrency);
      if (claimed.length === 0 && this.inFlight.size === 0) return;
      await Promise.all([...this.inFlight.values()].map((d) => d.done));
    }
  }

  private async tick(): Promise<void> {
    try {
      let free = this.deps.config.concurrency - this.inFlight.size;
      let busy = false;
      while (this.running && free > 0) {
        const claimed = await this.claim(free, busy);
        if (claimed.length < free) return;
        busy = true; // a full claim: more are likely due, no need to look before the next
        free = this.deps.config.concurrency - this.inFlight.size;
      }
    } catch (error) {
      // An outage is expected to pass: the next poll tries again, and nothing claimed is lost.
      if (isDatabaseUnavailable(error)) this.deps.log.warn('webhook dispatcher: database unavailable');
      else this.deps.log.error({ err: error }, 'webhook dispatcher: claiming deliveries failed');
    }
  }

  private async claim(limit: number, busy = false): Promise<ClaimedDelivery[]> {
    const { db, dialect, clock, config } = this.deps;
    if (limit <= 0) return [];
    const now = clock.now();
    // Idle, a read tells whether to claim: a claim is a write, which SQLite serializes with the API's.
    if (!busy && !(await anyDue(db, now.toISOString()))) return [];
    const claimed = await claimDue(db, dialect, {
      now: now.toISOString(),
      // Long enough for the timeout and recording the outcome; after it, another process may retry.
      leaseUntil: new Date(now.getTime() + 3 * config.timeoutMs).toISOString(),
      token: randomBytes(12).toString('base64url'),
      limit,
    });
    if (claimed.length === 0) return [];
    const [events, endpoints] = await Promise.all([
      eventsBySeq(
        db,
        claimed.map((c) => c.event_seq),
      ),
      endpointsByIds(
        db,
        claimed.map((c) => c.endpoint_id),
      ),
    ]);
    const eventBySeq = new Map(events.map((e) => [e.seq, e]));
    const endpointById = new Map(endpoints.map((e) => [e.id, e]));
    for (const claim of claimed) {
      const event = eventBySeq.get(claim.event_seq);
      const endpoint = endpointById.get(claim.endpoint_id);
      // Both gone means the endpoint was deleted meanwhile (its deliveries went with it).
      if (!event || !endpoint) continue;
      const stop = new AbortController();
      const done = this.deliver(claim, event, endpoint, stop.signal)
        .catch((error) =>
          this.deps.log.error({ err: error, delivery: claim.id }, 'webhook delivery failed to settle'),
        )
        .finally(() => {
          this.inFlight.delete(claim.id);
          this.wake();
        });
      this.inFlight.set(claim.id, { claim, stop, done });
    }
    return claimed;
  }

  private async deliver(claim: ClaimedDelivery, event: EventRow, endpoint: EndpointRow, stop: AbortSignal) {
    const body = deliveryBody(event);
    const headers = signedHeaders(
      endpoint,
      { eventId: event.id, body },
      { now: this.deps.clock.now(), signedAt: new Date() },
    );
    const result = await this.sender().post(endpoint.url, headers, body, stop);
    if (result.statusCode === null && stop.aborted) {
      await release(this.deps.db, claim, this.deps.clock.now().toISOString());
      return;
    }
    await this.settle(claim, endpoint, result);
  }

  private async settle(claim: ClaimedDelivery, endpoint: EndpointRow, result: AttemptResult): Promise<void> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const code = result.statusCode;
    if (code !== null && code >= 200 && code < 300) {
      await settle(db, claim, {
        status: 'delivered',
        delivered_at: now.toISOString(),
        last_status_code: code,
        last_error: null,
      });
      return;
    }
    const error = code === null ? (result as { error: string }).error : `HTTP ${code}`;
    const next = new Date(now.getTime() + retryDelayMs(claim.attempts));
    const gone = code === 410;
    const final = gone || next.toISOString() > claim.retry_until;
    const settled = await settle(db, claim, {
      status: final ? 'failed' : 'pending',
      next_attempt_at: final ? now.toISOString() : next.toISOString(),
      last_status_code: code,
      last_error: gone ? 'HTTP 410 Gone: the endpoint was disabled' : error,
    });
    if (gone && settled) {
      // The receiver says this URL is gone for good: stop sending until an admin re-enables it.
      await updateEndpoint(db, endpoint.id, { enabled: 0, updated_at: now.toISOString() });
      this.deps.log.warn({ endpoint: endpoint.id }, 'webhook endpoint answered 410 Gone: disabled');
    }
  }
}
