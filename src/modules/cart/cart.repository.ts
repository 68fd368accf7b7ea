import type { Executor, Trx } from '../../db/database.js';
import { loadPricingRows, type PricingRow } from '../products/products.service.js';

export interface CartLineRow {
  id: number;
  product_id: number;
  quantity: number;
}

/** A user's lines, oldest first (the order they were added in). */
export const listLines = (db: Executor, userId: number): Promise<CartLineRow[]> =>
  db
    .selectFrom('cart_items')
    .select(['id', 'product_id', 'quantity'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();

/** A cart line as stored: what a failed checkout puts back exactly. */
export type CartLineSnapshot = CartLineRow & { user_id: number; created_at: string; updated_at: string };

/**
 * The lines a checkout buys, locked on PostgreSQL: a second checkout of the same cart waits,
 * then finds the lines gone (an empty cart) instead of buying them again.
 */
export const linesForCheckout = (trx: Trx, userId: number, lock: boolean): Promise<CartLineSnapshot[]> =>
  trx
    .selectFrom('cart_items')
    .select(['id', 'user_id', 'product_id', 'quantity', 'created_at', 'updated_at'])
    .where('user_id', '=', userId)
    .orderBy('product_id')
    .$if(lock, (qb) => qb.forUpdate())
    .execute();

/** Removes the lines a checkout bought; lines added meanwhile stay for the next checkout. */
export async function removeBoughtLines(trx: Trx, lineIds: number[]): Promise<void> {
  if (lineIds.length > 0) await trx.deleteFrom('cart_items').where('id', 'in', lineIds).execute();
}

/**
 * Puts back the lines of a checkout whose payment failed, with their ids and times, so the cart
 * reads exactly as before; a line of the same product added meanwhile absorbs the quantity.
 */
export async function restoreLines(trx: Trx, lines: CartLineSnapshot[]): Promise<void> {
  for (const line of lines) {
    await trx
      .insertInto('cart_items')
      .values(line)
      .onConflict((oc) =>
        oc.columns(['user_id', 'product_id']).doUpdateSet((eb) => ({
          quantity: eb('cart_items.quantity', '+', eb.ref('excluded.quantity')),
        })),
      )
      .execute();
  }
}

export const findLine = (db: Executor, userId: number, productId: number) =>
  db
    .selectFrom('cart_items')
    .select(['id', 'product_id', 'quantity'])
    .where('user_id', '=', userId)
    .where('product_id', '=', productId)
    .executeTakeFirst();

/** Adds to the line, creating it on first add; one statement, so two adds never lose one. */
export async function addToLine(trx: Trx, userId: number, productId: number, quantity: number, now: string) {
  await trx
    .insertInto('cart_items')
    .values({ user_id: userId, product_id: productId, quantity, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['user_id', 'product_id']).doUpdateSet((eb) => ({
        quantity: eb('cart_items.quantity', '+', eb.ref('excluded.quantity')),
        updated_at: now,
      })),
    )
    .execute();
}

export async function setLineQuantity(
  db: Executor,
  userId: number,
  productId: number,
  quantity: number,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('cart_items')
    .set({ quantity, updated_at: now })
    .where('user_id', '=', userId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function removeLines(db: Executor, userId: number, productIds: number[]): Promise<number> {
  if (productIds.length === 0) return 0;
  const result = await db
    .deleteFrom('cart_items')
    .where('user_id', '=', userId)
    .where('product_id', 'in', productIds)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function clearCart(db: Executor, userId: number): Promise<void> {
  await db.deleteFrom('cart_items').where('user_id', '=', userId).execute();
}

/** The catalog's pricing rows (archived products included), by product id. */
export async function pricingRowsById(db: Executor, ids: number[]): Promise<Map<number, PricingRow>> {
  return new Map((await loadPricingRows(db, ids)).map((row) => [row.id, row]));
}
