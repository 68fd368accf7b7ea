import type { Executor, Trx } from '../../db/database.js';

/** The live (unexpired) record of a key, if any. */
export const findKey = (db: Executor, userId: number, key: string, now: string) =>
  db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'order_id'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .where('expires_at', '>', now)
    .executeTakeFirst();

/** Expired keys may be used again: the user's old records go (this keeps the table small). */
export async function deleteExpiredKeys(trx: Trx, userId: number, now: string): Promise<void> {
  await trx
    .deleteFrom('idempotency_keys')
    .where('user_id', '=', userId)
    .where('expires_at', '<=', now)
    .execute();
}

/** Claims a key; a unique violation means another request holds it (its transaction decides). */
export async function insertKey(
  trx: Trx,
  row: { user_id: number; key: string; request_hash: string; created_at: string; expires_at: string },
): Promise<void> {
  await trx
    .insertInto('idempotency_keys')
    .values({ ...row, order_id: null })
    .execute();
}

export async function attachOrder(trx: Trx, userId: number, key: string, orderId: number): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ order_id: orderId })
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .execute();
}
