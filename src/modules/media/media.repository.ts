import type { Executor, MediaTable, Trx } from '../../db/database.js';

export interface MediaKeys {
  id: number;
  storage_key: string;
  thumbnail_key: string;
}

export type NewMedia = Omit<MediaTable, 'id'>;

export async function insertMedia(trx: Trx, media: NewMedia): Promise<number> {
  const row = await trx.insertInto('media').values(media).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export const findMediaKeys = (db: Executor, ids: readonly number[]): Promise<MediaKeys[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : db.selectFrom('media').select(['id', 'storage_key', 'thumbnail_key']).where('id', 'in', ids).execute();

/** Which of these file keys a media row still references (as its file or its thumbnail). */
export async function referencedKeys(db: Executor, keys: readonly string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom('media')
    .select(['storage_key', 'thumbnail_key'])
    .where((eb) => eb.or([eb('storage_key', 'in', keys), eb('thumbnail_key', 'in', keys)]))
    .execute();
  return new Set(rows.flatMap((row) => [row.storage_key, row.thumbnail_key]));
}

/** Deleting a media row also deletes the product_images rows that point at it (foreign key). */
export async function deleteMediaRows(trx: Trx, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await trx.deleteFrom('media').where('id', 'in', ids).execute();
}

/**
 * The product row, locked on PostgreSQL so that concurrent image changes of one product run one
 * after the other (SQLite write transactions are serialized already). Undefined when it is gone.
 */
export const lockProduct = (trx: Trx, id: number, forUpdate: boolean) =>
  trx
    .selectFrom('products')
    .select('id')
    .where('id', '=', id)
    .$if(forUpdate, (qb) => qb.forUpdate())
    .executeTakeFirst();

export const productExists = async (db: Executor, id: number) =>
  (await db.selectFrom('products').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

export interface ProductImageRow extends MediaKeys {
  image_id: number;
  position: number;
}

/** A product's images with their files, main image (position 0) first. */
export const productImages = (db: Executor, productId: number): Promise<ProductImageRow[]> =>
  db
    .selectFrom('product_images')
    .innerJoin('media', 'media.id', 'product_images.media_id')
    .select([
      'product_images.id as image_id',
      'product_images.position',
      'media.id',
      'media.storage_key',
      'media.thumbnail_key',
    ])
    .where('product_images.product_id', '=', productId)
    .orderBy('product_images.position')
    .execute();

export const countProductImages = async (db: Executor, productId: number): Promise<number> => {
  const row = await db
    .selectFrom('product_images')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('product_id', '=', productId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
};

export async function insertProductImage(
  trx: Trx,
  image: { product_id: number; media_id: number; position: number; created_at: string },
): Promise<number> {
  const row = await trx.insertInto('product_images').values(image).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/**
 * Renumbers the remaining images 0..n-1 after one is removed, so the first gallery image becomes
 * the main one. Row by row in ascending order: each target position is already free, which keeps
 * the unique (product_id, position) constraint satisfied at every step on both databases.
 */
export async function compactPositions(trx: Trx, productId: number): Promise<void> {
  const rows = await productImages(trx, productId);
  for (const [index, row] of rows.entries()) {
    if (row.position !== index) {
      await trx
        .updateTable('product_images')
        .set({ position: index })
        .where('id', '=', row.image_id)
        .execute();
    }
  }
}
