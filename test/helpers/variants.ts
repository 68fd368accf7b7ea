import type { Db } from '../../src/db/database.js';
import { DEFAULT_VARIANT_TITLE } from '../../src/modules/products/variant-combination.js';
import { insertDefaultVariants } from '../../src/modules/products/variants.repository.js';

/** Gives products written straight to the database their default variant (as the API would). */
export const addDefaultVariants = (db: Db, productIds: readonly number[]) =>
  insertDefaultVariants(db, productIds, DEFAULT_VARIANT_TITLE);

/** The product's default (first) variant id. */
export async function defaultVariantId(db: Db, productId: number): Promise<number> {
  const row = await db
    .selectFrom('product_variants')
    .select('id')
    .where('product_id', '=', productId)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The variant part of an order line written straight to the database, for a one-variant product. */
export async function defaultLine(db: Db, productId: number) {
  return {
    variant_id: await defaultVariantId(db, productId),
    sku: null,
    variant_title: DEFAULT_VARIANT_TITLE,
  };
}

/** Sets a one-variant product's stock behind the API's back (its summary follows by trigger). */
export async function setStock(db: Db, productId: number, stock: number): Promise<void> {
  await db.updateTable('product_variants').set({ stock }).where('product_id', '=', productId).execute();
}
