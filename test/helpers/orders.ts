import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database.js';
import type { TestApp } from './app.js';
import { addDefaultVariants, defaultVariantId } from './variants.js';

/**
 * Catalog rows written straight to the database, so cart and order suites do not depend on the
 * catalog's HTTP routes. Timestamps come from the test clock.
 */
export async function insertProduct(
  t: Pick<TestApp, 'db' | 'clock'>,
  fields: { name?: string; price_cents?: number; stock?: number; offer_id?: number | null } = {},
): Promise<number> {
  const now = t.clock.now().toISOString();
  const category = await t.db.selectFrom('categories').select('id').orderBy('id').executeTakeFirstOrThrow();
  const row = await t.db
    .insertInto('products')
    .values({
      name: fields.name ?? `Product ${randomUUID().slice(0, 8)}`,
      description: '',
      price_cents: fields.price_cents ?? 1000,
      stock: fields.stock ?? 10,
      category_id: category.id,
      offer_id: fields.offer_id ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addDefaultVariants(t.db, [row.id]);
  return row.id;
}

export async function insertOffer(
  db: Db,
  fields: { name?: string; discount_bp: number; start_time: string; end_time: string },
): Promise<number> {
  const row = await db
    .insertInto('offers')
    .values({
      name: fields.name ?? 'Sale',
      discount_bp: fields.discount_bp,
      start_time: fields.start_time,
      end_time: fields.end_time,
      created_at: fields.start_time,
      updated_at: fields.start_time,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A serialized product with `count` available units; its stock is that count. */
export async function insertSerializedProduct(
  t: Pick<TestApp, 'db' | 'clock'>,
  count: number,
  fields: { name?: string; price_cents?: number } = {},
): Promise<{ id: number; serials: string[] }> {
  const id = await insertProduct(t, { ...fields, stock: count });
  const variantId = await defaultVariantId(t.db, id);
  await t.db.updateTable('product_variants').set({ serialized: 1 }).where('id', '=', variantId).execute();
  const now = t.clock.now().toISOString();
  const serials = Array.from({ length: count }, () => randomUUID());
  if (count > 0) {
    await t.db
      .insertInto('units')
      .values(
        serials.map((serial_number) => ({
          product_id: id,
          variant_id: variantId,
          serial_number,
          status: 'available' as const,
          created_at: now,
        })),
      )
      .execute();
  }
  return { id, serials };
}

export const stockOf = async (db: Db, productId: number): Promise<number> =>
  (await db.selectFrom('products').select('stock').where('id', '=', productId).executeTakeFirstOrThrow())
    .stock;

export const countOrders = async (db: Db): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Adds to the cart through the API and fails loudly if refused. */
export async function addToCart(t: TestApp, token: string, productId: number, quantity = 1): Promise<void> {
  const res = await t.request({
    method: 'POST',
    url: '/api/cart',
    token,
    payload: { product_id: productId, quantity },
  });
  if (res.statusCode !== 201) throw new Error(`add to cart failed: ${res.statusCode} ${res.body}`);
}

export const checkout = (t: TestApp, token: string, options: { key?: string; payload?: unknown } = {}) =>
  t.request({
    method: 'POST',
    url: '/api/checkout',
    token,
    headers: options.key ? { 'idempotency-key': options.key } : {},
    ...(options.payload === undefined ? {} : { payload: options.payload as Record<string, unknown> }),
  });
