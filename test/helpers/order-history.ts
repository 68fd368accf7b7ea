import type { Db, OrderStatus } from '../../src/db/database.js';
import { addDefaultVariants, defaultLine } from './variants.js';

/**
 * Hand-built catalog and order history, written straight to the tables, so insight tests know the
 * right answer without going through checkout.
 */
export async function insertCategory(db: Db, name: string): Promise<number> {
  const now = new Date().toISOString();
  const row = await db
    .insertInto('categories')
    .values({ name, name_key: name.toLowerCase(), created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addDefaultVariants(db, [row.id]);
  return row.id;
}

export async function insertProduct(
  db: Db,
  fields: { name: string; category_id: number; stock?: number; price_cents?: number; archived?: boolean },
): Promise<number> {
  const now = new Date().toISOString();
  const row = await db
    .insertInto('products')
    .values({
      name: fields.name,
      description: '',
      price_cents: fields.price_cents ?? 1000,
      stock: fields.stock ?? 100,
      category_id: fields.category_id,
      archived_at: fields.archived ? now : null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addDefaultVariants(db, [row.id]);
  return row.id;
}

/** One order with a line per product: a product id, or [product id, quantity]. */
export async function insertOrder(
  db: Db,
  lines: Array<number | [number, number]>,
  options: { status?: OrderStatus; created_at?: string; user_id?: number | null } = {},
): Promise<number> {
  const created = options.created_at ?? new Date().toISOString();
  const order = await db
    .insertInto('orders')
    .values({
      user_id: options.user_id ?? null,
      status: options.status ?? 'pending',
      total_cents: 0,
      shipping_address: null,
      estimated_delivery_date: created,
      created_at: created,
      cancelled_at: options.status === 'cancelled' ? created : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const line of lines) {
    const [productId, quantity] = typeof line === 'number' ? [line, 1] : line;
    await db
      .insertInto('order_items')
      .values({
        order_id: order.id,
        product_id: productId,
        ...(await defaultLine(db, productId)),
        product_name: `product ${productId}`,
        unit_price_cents: 1000,
        original_unit_price_cents: 1000,
        offer_name: null,
        quantity,
        line_total_cents: 1000 * quantity,
      })
      .execute();
  }
  return order.id;
}
