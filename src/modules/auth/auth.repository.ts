import type { Insertable } from 'kysely';
import type { Executor, RefreshTokensTable, Trx } from '../../db/database.js';

export const insertRefreshToken = async (db: Executor, token: Insertable<RefreshTokensTable>) => {
  await db.insertInto('refresh_tokens').values(token).execute();
};

/**
 * Marks a live refresh token used, in one conditional statement: of two requests presenting the
 * same token, only one sees true.
 */
export async function spendRefreshToken(trx: Trx, id: string, now: string): Promise<boolean> {
  const result = await trx
    .updateTable('refresh_tokens')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export const wasRefreshTokenUsed = async (trx: Trx, id: string): Promise<boolean> => {
  const row = await trx
    .selectFrom('refresh_tokens')
    .select('used_at')
    .where('id', '=', id)
    .executeTakeFirst();
  return Boolean(row?.used_at);
};

/** Revokes every live token of a login's family; with userId, only if the family is that user's. */
export async function revokeFamily(db: Executor, familyId: string, now: string, userId?: number) {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('family_id', '=', familyId)
    .$if(userId !== undefined, (qb) => qb.where('user_id', '=', userId as number))
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every refresh session of a user (access tokens end with the token_version bump). */
export async function deleteRefreshTokensOf(trx: Trx, userId: number): Promise<void> {
  await trx.deleteFrom('refresh_tokens').where('user_id', '=', userId).execute();
}
