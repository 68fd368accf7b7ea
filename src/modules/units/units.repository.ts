import type { Executor, Trx } from '../../db/database.js';

const UNIT_COLUMNS = [
  'units.id',
  'units.product_id',
  'units.variant_id',
  'units.serial_number',
  'units.status',
  'units.order_item_id',
  'units.created_at',
  'units.sold_at',
] as const;

export const existingSerials = async (db: Executor, serials: readonly string[]): Promise<string[]> => {
  if (serials.length === 0) return [];
  const rows = await db
    .selectFrom('units')
    .select('serial_number')
    .where('serial_number', 'in', [...serials])
    .execute();
  return rows.map((r) => r.serial_number);
};

export const insertUnits = (
  trx: Trx,
  variant: { product_id: number; variant_id: number },
  serials: readonly string[],
  now: string,
) =>
  trx
    .insertInto('units')
    .values(
      serials.map((serial_number) => ({
        ...variant,
        serial_number,
        status: 'available' as const,
        created_at: now,
      })),
    )
    .returning([
      'id',
      'product_id',
      'variant_id',
      'serial_number',
      'status',
      'order_item_id',
      'created_at',
      'sold_at',
    ])
    .execute();

export async function listUnitRows(
  db: Executor,
  productId: number,
  status: 'available' | 'sold' | undefined,
  limit: number,
  offset: number,
) {
  let base = db.selectFrom('units').where('product_id', '=', productId);
  if (status) base = base.where('status', '=', status);
  const [items, count] = await Promise.all([
    base.select(UNIT_COLUMNS).orderBy('units.id').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.total) };
}

/** A unit by serial with, when sold, the order line and order that bought it (warranty look-up). */
export const findUnitBySerial = (db: Executor, serial: string) =>
  db
    .selectFrom('units')
    .leftJoin('order_items', 'order_items.id', 'units.order_item_id')
    .leftJoin('orders', 'orders.id', 'order_items.order_id')
    .select(UNIT_COLUMNS)
    .select([
      'orders.id as order_id',
      'orders.user_id as order_user_id',
      'orders.status as order_status',
      'orders.created_at as order_created_at',
      'orders.shipped_at as order_shipped_at',
      'orders.delivered_at as order_delivered_at',
      'orders.cancelled_at as order_cancelled_at',
      'order_items.unit_price_cents as order_unit_price_cents',
    ])
    .where('units.serial_number', '=', serial)
    .executeTakeFirst();

/**
 * Picks available units of a variant. On PostgreSQL the rows are locked and units locked by
 * another transaction are skipped rather than waited for; SQLite has one writer at a time.
 */
export async function pickUnits(trx: Trx, variantId: number, quantity: number, lock: boolean) {
  const rows = await trx
    .selectFrom('units')
    .select('id')
    .where('variant_id', '=', variantId)
    .where('status', '=', 'available')
    .orderBy('id')
    .limit(quantity)
    .$if(lock, (qb) => qb.forUpdate().skipLocked())
    .execute();
  return rows.map((r) => r.id);
}

/** Marks picked units sold to a line; only units still available change (checked by the count). */
export async function sellUnits(
  trx: Trx,
  unitIds: number[],
  orderItemId: number,
  now: string,
): Promise<number> {
  const result = await trx
    .updateTable('units')
    .set({ status: 'sold', order_item_id: orderItemId, sold_at: now })
    .where('id', 'in', unitIds)
    .where('status', '=', 'available')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Puts a cancelled line's units back on the shelf. */
export async function releaseUnits(trx: Trx, orderItemId: number): Promise<void> {
  await trx
    .updateTable('units')
    .set({ status: 'available', order_item_id: null, sold_at: null })
    .where('order_item_id', '=', orderItemId)
    .execute();
}
