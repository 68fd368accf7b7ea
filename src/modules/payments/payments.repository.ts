import type { Insertable, Selectable } from 'kysely';
import type {
  Executor,
  PaymentEventsTable,
  PaymentStatus,
  PaymentsTable,
  PaymentWebhookEventsTable,
  RefundsTable,
  Trx,
} from '../../db/database.js';

export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<RefundsTable>;

export async function insertPayment(
  trx: Trx,
  row: { order_id: number; provider: string; amount_cents: number; now: string },
): Promise<number> {
  const inserted = await trx
    .insertInto('payments')
    .values({
      order_id: row.order_id,
      provider: row.provider,
      status: 'pending',
      amount_cents: row.amount_cents,
      created_at: row.now,
      updated_at: row.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export const findPayment = (db: Executor, id: number) =>
  db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();

export const paymentOfOrder = (db: Executor, orderId: number) =>
  db.selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirst();

export const paymentsOfOrders = (db: Executor, orderIds: number[]) =>
  orderIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('payments').selectAll().where('order_id', 'in', orderIds).execute();

export const paymentByReference = (db: Executor, provider: string, reference: string) =>
  db
    .selectFrom('payments')
    .selectAll()
    .where('provider', '=', provider)
    .where('provider_reference', '=', reference)
    .executeTakeFirst();

/** The payment row locked until the transaction ends (PostgreSQL; SQLite has one writer anyway). */
export const lockPayment = (trx: Trx, id: number, lock: boolean) =>
  trx
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', id)
    .$if(lock, (qb) => qb.forUpdate())
    .executeTakeFirst();

/**
 * Moves a payment from one of `from` to `to`, only if it is still there: of two racing
 * applications (the customer's confirmation and the provider's webhook) exactly one wins.
 * Returns the payment as moved, or undefined if it was not in `from`.
 */
export async function movePayment(
  trx: Trx,
  id: number,
  from: readonly PaymentStatus[],
  changes: Partial<Omit<PaymentRow, 'id' | 'order_id' | 'provider' | 'amount_cents' | 'created_at'>> & {
    status: PaymentStatus;
    updated_at: string;
  },
): Promise<PaymentRow | undefined> {
  return trx
    .updateTable('payments')
    .set(changes)
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .returningAll()
    .executeTakeFirst() as Promise<PaymentRow | undefined>;
}

/**
 * Claims the right to call the provider for `operation` (capture, void) on a payment in one of
 * `from`. A claim older than `staleBefore` belongs to a process that died and may be taken over
 * (the provider's idempotency key makes the repeated call safe).
 */
export async function claimOperation(
  trx: Executor,
  id: number,
  from: readonly PaymentStatus[],
  operation: string,
  now: string,
  staleBefore: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('payments')
    .set({ operation, operation_started_at: now })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .where((eb) => eb.or([eb('operation', 'is', null), eb('operation_started_at', '<', staleBefore)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseOperation(db: Executor, id: number, operation: string): Promise<void> {
  await db
    .updateTable('payments')
    .set({ operation: null, operation_started_at: null })
    .where('id', '=', id)
    .where('operation', '=', operation)
    .execute();
}

/**
 * Appends to the ledger, several entries in one statement. The event key names what happened
 * ("captured:12"): a second attempt at the same thing inserts nothing.
 */
export async function appendLedger(trx: Trx, ...events: Insertable<PaymentEventsTable>[]): Promise<void> {
  await trx
    .insertInto('payment_events')
    .values(events)
    .onConflict((oc) => oc.column('event_key').doNothing())
    .execute();
}

/** Captured and refunded totals per payment, summed from the ledger. */
export async function ledgerTotals(db: Executor, paymentIds: number[]) {
  if (paymentIds.length === 0) return new Map<number, { captured: number; refunded: number }>();
  const rows = await db
    .selectFrom('payment_events')
    .select(['payment_id', 'type', (eb) => eb.fn.sum<number>('amount_cents').as('total')])
    .where('payment_id', 'in', paymentIds)
    .where('type', 'in', ['captured', 'refunded'])
    .groupBy(['payment_id', 'type'])
    .execute();
  const totals = new Map<number, { captured: number; refunded: number }>();
  for (const row of rows) {
    const entry = totals.get(row.payment_id) ?? { captured: 0, refunded: 0 };
    if (row.type === 'captured') entry.captured = Number(row.total);
    else entry.refunded = Number(row.total);
    totals.set(row.payment_id, entry);
  }
  return totals;
}

/** Refunded so far plus refunds in flight: what a new refund must fit beside. */
export async function reservedForRefunds(trx: Trx, paymentId: number): Promise<number> {
  const row = await trx
    .selectFrom('refunds')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_cents'), eb.lit(0)).as('total'))
    .where('payment_id', '=', paymentId)
    .where('status', 'in', ['pending', 'succeeded'])
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export const findRefundByKey = (db: Executor, paymentId: number, key: string) =>
  db
    .selectFrom('refunds')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();

export async function insertRefund(trx: Trx, row: Omit<RefundRow, 'id'>): Promise<RefundRow> {
  return trx.insertInto('refunds').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function settleRefund(
  trx: Trx,
  id: number,
  status: 'succeeded' | 'failed',
  reference: string | null,
): Promise<void> {
  await trx
    .updateTable('refunds')
    .set({ status, provider_reference: reference })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** Stores a verified webhook before it is acted on; false when this event id was stored already. */
export async function storeWebhookEvent(
  db: Executor,
  row: Omit<Insertable<PaymentWebhookEventsTable>, 'applied_at'>,
): Promise<boolean> {
  const result = await db
    .insertInto('payment_webhook_events')
    .values(row)
    .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Stored events not yet applied whose payment now exists, oldest first; all, or one payment's. */
export const unappliedWebhookEvents = (db: Executor, only?: { provider: string; reference: string }) =>
  db
    .selectFrom('payment_webhook_events as e')
    .innerJoin('payments as p', (join) =>
      join.onRef('p.provider', '=', 'e.provider').onRef('p.provider_reference', '=', 'e.reference'),
    )
    .select(['e.id', 'e.type', 'p.id as payment_id'])
    .where('e.applied_at', 'is', null)
    .$if(only !== undefined, (qb) =>
      qb
        .where('e.provider', '=', only?.provider as string)
        .where('e.reference', '=', only?.reference as string),
    )
    .orderBy('e.id')
    .limit(100)
    .execute();

export async function markWebhookApplied(db: Executor, id: number, now: string): Promise<void> {
  await db
    .updateTable('payment_webhook_events')
    .set({ applied_at: now })
    .where('id', '=', id)
    .where('applied_at', 'is', null)
    .execute();
}
