import { sql } from 'kysely';
import type { Db, Executor, Trx } from '../../db/database.js';

export interface CartLineRow {
  id: number;
  product_id: number;
  variant_id: number;
  quantity: number;
}

const LINE_COLUMNS = ['id', 'product_id', 'variant_id', 'quantity'] as const;

/** A user's lines, oldest first (the order they were added in). */
export const listLines = (db: Executor, userId: number): Promise<CartLineRow[]> =>
  db.selectFrom('cart_items').select(LINE_COLUMNS).where('user_id', '=', userId).orderBy('id').execute();

/** A cart line as stored: what a failed checkout puts back exactly. */
export type CartLineSnapshot = CartLineRow & { user_id: number; created_at: string; updated_at: string };

/**
 * The lines a checkout buys, in product then variant order (the order every checkout locks them
 * in), locked on PostgreSQL: a second checkout of the same cart waits, then finds the lines gone
 * (an empty cart) instead of buying them again.
 */
export const linesForCheckout = (trx: Trx, userId: number, lock: boolean): Promise<CartLineSnapshot[]> =>
  trx
    .selectFrom('cart_items')
    .select([...LINE_COLUMNS, 'user_id', 'created_at', 'updated_at'])
    .where('user_id', '=', userId)
    .orderBy('product_id')
    .orderBy('variant_id')
    .$if(lock, (qb) => qb.forUpdate())
    .execute();

/** Removes the lines a checkout bought; lines added meanwhile stay for the next checkout. */
export async function removeBoughtLines(trx: Trx, lineIds: number[]): Promise<void> {
  if (lineIds.length > 0) await trx.deleteFrom('cart_items').where('id', 'in', lineIds).execute();
}

/**
 * Puts back the lines of a checkout whose payment failed, with their ids and times, so the cart
 * reads exactly as before; a line of the same variant added meanwhile absorbs the quantity.
 */
export async function restoreLines(trx: Trx, lines: CartLineSnapshot[]): Promise<void> {
  for (const line of lines) {
    await trx
      .insertInto('cart_items')
      .values(line)
      .onConflict((oc) =>
        oc.columns(['user_id', 'variant_id']).doUpdateSet((eb) => ({
          quantity: eb('cart_items.quantity', '+', eb.ref('excluded.quantity')),
        })),
      )
      .execute();
  }
}

export const findLineOfVariant = (db: Executor, userId: number, variantId: number) =>
  db
    .selectFrom('cart_items')
    .select(LINE_COLUMNS)
    .where('user_id', '=', userId)
    .where('variant_id', '=', variantId)
    .executeTakeFirst();

export const findLine = (db: Executor, userId: number, lineId: number) =>
  db
    .selectFrom('cart_items')
    .select(LINE_COLUMNS)
    .where('user_id', '=', userId)
    .where('id', '=', lineId)
    .executeTakeFirst();

/** The user's lines of one product (one per variant in the cart). */
export const linesOfProduct = (db: Executor, userId: number, productId: number) =>
  db
    .selectFrom('cart_items')
    .select(LINE_COLUMNS)
    .where('user_id', '=', userId)
    .where('product_id', '=', productId)
    .orderBy('id')
    .execute();

/**
 * Adds to the variant's line, creating it on first add, only while the line stays within `limit`:
 * one statement, so two adds at once never lose one nor both pass the limit. False when refused.
 */
export async function addToLine(
  db: Executor,
  userId: number,
  line: { product_id: number; variant_id: number; quantity: number },
  limit: number,
  now: string,
): Promise<boolean> {
  const row = await db
    .insertInto('cart_items')
    .values({ user_id: userId, ...line, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'variant_id'])
        .doUpdateSet((eb) => ({
          quantity: eb('cart_items.quantity', '+', eb.ref('excluded.quantity')),
          updated_at: now,
        }))
        .where((eb) => eb(eb('cart_items.quantity', '+', eb.ref('excluded.quantity')), '<=', limit)),
    )
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function setLineQuantity(
  db: Executor,
  userId: number,
  lineId: number,
  quantity: number,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('cart_items')
    .set({ quantity, updated_at: now })
    .where('user_id', '=', userId)
    .where('id', '=', lineId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function removeLines(db: Executor, userId: number, lineIds: number[]): Promise<number> {
  if (lineIds.length === 0) return 0;
  const result = await db
    .deleteFrom('cart_items')
    .where('user_id', '=', userId)
    .where('id', 'in', lineIds)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function clearCart(db: Executor, userId: number): Promise<void> {
  await db.deleteFrom('cart_items').where('user_id', '=', userId).execute();
}

/** The channel on which PostgreSQL names a user whose cart lines changed. */
export const CART_CHANNEL = 'mercato_cart';

/**
 * PostgreSQL only: NOTIFY CART_CHANNEL with the user's id, on commit, for every change to a
 * user's cart lines, whoever writes (another process, a cascade, plain SQL): what other processes'
 * stored cart answers follow. Run after the migrations, under their lock; creates only what is missing.
 */
export async function syncCartTriggers(db: Db): Promise<void> {
  await sql`create or replace function mercato_notify_cart() returns trigger language plpgsql as $$
    begin
      if tg_op = 'TRUNCATE' then
        perform pg_notify(${sql.lit(CART_CHANNEL)}, '');
      elsif tg_op = 'DELETE' then
        perform pg_notify(${sql.lit(CART_CHANNEL)}, old.user_id::text);
      else
        perform pg_notify(${sql.lit(CART_CHANNEL)}, new.user_id::text);
      end if;
      return null;
    end $$`.execute(db);
  const { rows } = await sql<{ name: string }>`select tgname as name from pg_trigger
    where tgrelid = 'cart_items'::regclass and tgname in ('cart_items_notify', 'cart_items_truncate_notify')`.execute(
    db,
  );
  const present = new Set(rows.map((row) => row.name));
  if (!present.has('cart_items_notify'))
    await sql`create trigger cart_items_notify after insert or update or delete on cart_items
      for each row execute function mercato_notify_cart()`.execute(db);
  if (!present.has('cart_items_truncate_notify'))
    await sql`create trigger cart_items_truncate_notify after truncate on cart_items
      for each statement execute function mercato_notify_cart()`.execute(db);
}
