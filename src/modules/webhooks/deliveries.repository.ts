import type { Selectable, Updateable } from 'kysely';
import type { DialectName } from '../../db/connect.js';
import type { Executor, Trx, WebhookDeliveriesTable } from '../../db/database.js';
import type { Page } from '../../lib/pagination.js';

export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/**
 * Queues an event for every enabled endpoint subscribed to its type (or to "*"), in one
 * INSERT … SELECT inside the caller's transaction.
 */
export async function insertDeliveries(
  trx: Trx,
  event: { seq: number; type: string },
  at: string,
  retryUntil: string,
): Promise<void> {
  await trx
    .insertInto('webhook_deliveries')
    .columns(['event_seq', 'endpoint_id', 'status', 'next_attempt_at', 'retry_until', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('webhook_endpoints as e')
        .where('e.enabled', '=', 1)
        .where((w) =>
          w.exists(
            w
              .selectFrom('webhook_subscriptions as s')
              .select('s.endpoint_id')
              .whereRef('s.endpoint_id', '=', 'e.id')
              .where('s.event_type', 'in', [event.type, '*']),
          ),
        )
        // Typed parameters: PostgreSQL would read a bare one in a SELECT list as text.
        .select((s) => [
          s.cast<number>(s.val(event.seq), 'integer').as('event_seq'),
          'e.id as endpoint_id',
          s.cast<string>(s.val('pending'), 'text').as('status'),
          s.cast<string>(s.val(at), 'text').as('next_attempt_at'),
          s.cast<string>(s.val(retryUntil), 'text').as('retry_until'),
          s.cast<string>(s.val(at), 'text').as('created_at'),
        ]),
    )
    .execute();
}

const dueDeliveries = (db: Executor, now: string) =>
  db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .where('e.enabled', '=', 1);

/** A cheap look before claiming: an idle dispatcher reads, it does not write. */
export const anyDue = async (db: Executor, now: string): Promise<boolean> =>
  (await dueDeliveries(db, now).select('d.id').limit(1).executeTakeFirst()) !== undefined;

export type ClaimedDelivery = Pick<
  DeliveryRow,
  'id' | 'event_seq' | 'endpoint_id' | 'attempts' | 'retry_until' | 'claim_token'
>;

/**
 * Claims up to `limit` due deliveries by moving them out of reach until `leaseUntil`: of
 * several dispatchers, each row goes to one (PostgreSQL skips rows another claim has locked;
 * SQLite runs one writer at a time). If the claimant dies, the row falls due again at leaseUntil.
 */
export function claimDue(
  db: Executor,
  dialect: DialectName,
  claim: { now: string; leaseUntil: string; token: string; limit: number },
): Promise<ClaimedDelivery[]> {
  return db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      next_attempt_at: claim.leaseUntil,
      claim_token: claim.token,
      attempts: eb('attempts', '+', 1),
      last_attempt_at: claim.now,
    }))
    .where('id', 'in', () =>
      dueDeliveries(db, claim.now)
        .select('d.id')
        .orderBy('d.next_attempt_at')
        .limit(claim.limit)
        .$if(dialect === 'postgres', (qb) => qb.forUpdate(['d']).skipLocked()),
    )
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', claim.now)
    .returning(['id', 'event_seq', 'endpoint_id', 'attempts', 'retry_until', 'claim_token'])
    .execute();
}

/** Records an attempt's outcome, only for the claim that made it (a stale claimant changes nothing). */
export async function settle(
  db: Executor,
  claimed: Pick<ClaimedDelivery, 'id' | 'claim_token'>,
  changes: Updateable<WebhookDeliveriesTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ ...changes, claim_token: null })
    .where('id', '=', claimed.id)
    .where('claim_token', '=', claimed.claim_token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives back a claim unused (a stopping process): due now, the attempt not counted. */
export async function release(db: Executor, claimed: ClaimedDelivery, now: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ next_attempt_at: now, claim_token: null, attempts: eb('attempts', '-', 1) }))
    .where('id', '=', claimed.id)
    .where('claim_token', '=', claimed.claim_token)
    .execute();
}

export const findDelivery = (db: Executor, id: number): Promise<DeliveryRow | undefined> =>
  db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();

/**
 * Makes a delivery due now, unless a live claim holds it (being sent this moment). The retry
 * window reaches at least to now, so a failed delivery gets this one attempt.
 */
export async function requeue(db: Executor, row: DeliveryRow, now: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      next_attempt_at: now,
      retry_until: row.retry_until > now ? row.retry_until : now,
      claim_token: null,
    })
    .where('id', '=', row.id)
    .where((eb) => eb.or([eb('claim_token', 'is', null), eb('next_attempt_at', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listDeliveries(db: Executor, endpointId: number, page: Page) {
  const base = db.selectFrom('webhook_deliveries').where('endpoint_id', '=', endpointId);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}
