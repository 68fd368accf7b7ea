import type { Selectable, Updateable } from 'kysely';
import type { Executor, Trx, WebhookEndpointsTable } from '../../db/database.js';
import type { Page } from '../../lib/pagination.js';

export type EndpointRow = Selectable<WebhookEndpointsTable>;

export async function insertEndpoint(trx: Trx, row: Omit<EndpointRow, 'id'>): Promise<number> {
  const inserted = await trx
    .insertInto('webhook_endpoints')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function replaceSubscriptions(trx: Trx, endpointId: number, types: readonly string[]) {
  await trx.deleteFrom('webhook_subscriptions').where('endpoint_id', '=', endpointId).execute();
  await trx
    .insertInto('webhook_subscriptions')
    .values(types.map((event_type) => ({ endpoint_id: endpointId, event_type })))
    .execute();
}

export const findEndpoint = (db: Executor, id: number, lock = false): Promise<EndpointRow | undefined> =>
  db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .$if(lock, (qb) => qb.forUpdate())
    .executeTakeFirst();

export const endpointsByIds = (db: Executor, ids: readonly number[]): Promise<EndpointRow[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', 'in', [...new Set(ids)])
        .execute();

export async function listEndpoints(db: Executor, page: Page) {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/** Subscribed types per endpoint, in a stable order. */
export async function subscriptionsOf(db: Executor, ids: readonly number[]): Promise<Map<number, string[]>> {
  const types = new Map<number, string[]>();
  if (ids.length === 0) return types;
  const rows = await db
    .selectFrom('webhook_subscriptions')
    .select(['endpoint_id', 'event_type'])
    .where('endpoint_id', 'in', [...new Set(ids)])
    .orderBy('endpoint_id')
    .orderBy('event_type')
    .execute();
  for (const row of rows) {
    const list = types.get(row.endpoint_id);
    if (list) list.push(row.event_type);
    else types.set(row.endpoint_id, [row.event_type]);
  }
  return types;
}

export async function updateEndpoint(
  db: Executor,
  id: number,
  changes: Updateable<WebhookEndpointsTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set(changes)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteEndpoint(db: Executor, id: number): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
