import { type Insertable, sql, type Updateable } from 'kysely';
import type { Db, Executor, Trx, UsersTable } from '../../db/database.js';

export type UserRow = Omit<UsersTable, 'id' | 'is_admin' | 'token_version'> & {
  id: number;
  is_admin: number;
  token_version: number;
  profile_storage_key: string | null;
};

function selectUsers(db: Executor) {
  return db
    .selectFrom('users')
    .leftJoin('media', 'media.id', 'users.profile_media_id')
    .selectAll('users')
    .select('media.storage_key as profile_storage_key');
}

export const findUserById = (db: Executor, id: number): Promise<UserRow | undefined> =>
  selectUsers(db).where('users.id', '=', id).executeTakeFirst();

export const findUserByUsername = (db: Executor, username: string): Promise<UserRow | undefined> =>
  selectUsers(db).where('users.username_key', '=', username.toLowerCase()).executeTakeFirst();

export const findUserByEmail = (db: Executor, email: string): Promise<UserRow | undefined> =>
  selectUsers(db).where('users.email_key', '=', email.toLowerCase()).executeTakeFirst();

/** The columns an access token check needs, by primary key: the hot path of every request. */
export const findSessionUser = (db: Executor, id: number) =>
  db.selectFrom('users').select(['id', 'is_admin', 'token_version']).where('id', '=', id).executeTakeFirst();

/** A condition on the users table: username or email contains `q`, case-insensitively. */
export function userMatches(q: string) {
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`(users.username_key like ${pattern} escape '\\' or users.email_key like ${pattern} escape '\\')`;
}

export async function listUsers(db: Executor, q: string | undefined, limit: number, offset: number) {
  let query = selectUsers(db);
  let count = db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('total'));
  if (q) {
    const match = userMatches(q);
    query = query.where(match);
    count = count.where(match);
  }
  const [items, totalRow] = await Promise.all([
    query.orderBy('users.id').limit(limit).offset(offset).execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(totalRow.total) };
}

/** Admin rows locked for update (PostgreSQL) so two demotions cannot both see "another admin". */
export async function countAdminsForUpdate(trx: Trx, lock: boolean): Promise<number> {
  const rows = await trx
    .selectFrom('users')
    .select('id')
    .where('is_admin', '=', 1)
    .$if(lock, (qb) => qb.forUpdate())
    .execute();
  return rows.length;
}

export const lockUser = (trx: Trx, id: number, lock: boolean) =>
  trx
    .selectFrom('users')
    .select(['id', 'profile_media_id'])
    .where('id', '=', id)
    .$if(lock, (qb) => qb.forUpdate())
    .executeTakeFirst();

export async function insertUser(db: Executor, user: Insertable<UsersTable>): Promise<number> {
  const row = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateUser(db: Executor, id: number, changes: Updateable<UsersTable>): Promise<void> {
  await db.updateTable('users').set(changes).where('id', '=', id).execute();
}

/** Orders keep their rows (user_id becomes null by the foreign key); cart lines go with the user. */
export async function deleteUser(trx: Trx, id: number): Promise<void> {
  await trx.deleteFrom('users').where('id', '=', id).execute();
}

/** The channel on which PostgreSQL names a user whose sessions must be checked again. */
export const SESSION_CHANNEL = 'mercato_session';
const SESSION_TRIGGERS = ['users_notify_session', 'users_truncate_notify_session'];

/**
 * PostgreSQL only: NOTIFY SESSION_CHANNEL with the user's id, on commit, when a user's
 * token_version or role changes or the user is deleted (an empty payload for TRUNCATE) — whoever
 * writes: this app, another process, the create-admin CLI, plain SQL. Run after the migrations,
 * under their lock, like the catalog triggers; creates only what is missing.
 */
export async function syncSessionTriggers(db: Db): Promise<void> {
  await sql`create or replace function mercato_notify_session() returns trigger language plpgsql as $$
    begin
      if tg_op = 'TRUNCATE' then
        perform pg_notify(${sql.lit(SESSION_CHANNEL)}, '');
      elsif tg_op = 'DELETE' or old.token_version is distinct from new.token_version
          or old.is_admin is distinct from new.is_admin then
        perform pg_notify(${sql.lit(SESSION_CHANNEL)}, old.id::text);
      end if;
      return null;
    end $$`.execute(db);
  const { rows } = await sql<{ name: string }>`select tgname as name from pg_trigger
    where tgrelid = 'users'::regclass and tgname in (${sql.join(SESSION_TRIGGERS)})`.execute(db);
  const present = new Set(rows.map((row) => row.name));
  if (!present.has('users_notify_session'))
    await sql`create trigger users_notify_session after update or delete on users
      for each row execute function mercato_notify_session()`.execute(db);
  if (!present.has('users_truncate_notify_session'))
    await sql`create trigger users_truncate_notify_session after truncate on users
      for each statement execute function mercato_notify_session()`.execute(db);
}
