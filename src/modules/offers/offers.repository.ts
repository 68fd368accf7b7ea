import type { Insertable, Updateable } from 'kysely';
import type { Executor, OffersTable, Trx } from '../../db/database.js';

export const findOfferRow = (db: Executor, id: number) =>
  db.selectFrom('offers').selectAll().where('id', '=', id).executeTakeFirst();

export type OfferRow = NonNullable<Awaited<ReturnType<typeof findOfferRow>>>;

export async function listOfferRows(db: Executor, limit: number, offset: number) {
  const [items, count] = await Promise.all([
    db.selectFrom('offers').selectAll().orderBy('id').limit(limit).offset(offset).execute(),
    db
      .selectFrom('offers')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.total) };
}

/** Live product ids per offer, for a page of offers in one query. */
export async function productIdsByOffer(db: Executor, offerIds: readonly number[]) {
  const byOffer = new Map<number, number[]>();
  if (offerIds.length === 0) return byOffer;
  const rows = await db
    .selectFrom('products')
    .select(['id', 'offer_id'])
    .where('offer_id', 'in', [...offerIds])
    .where('archived_at', 'is', null)
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const list = byOffer.get(row.offer_id!) ?? [];
    list.push(row.id);
    byOffer.set(row.offer_id!, list);
  }
  return byOffer;
}

export async function insertOffer(db: Executor, offer: Insertable<OffersTable>): Promise<number> {
  const row = await db.insertInto('offers').values(offer).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateOffer(trx: Trx, id: number, changes: Updateable<OffersTable>): Promise<void> {
  await trx.updateTable('offers').set(changes).where('id', '=', id).execute();
}

/**
 * Takes an offer's products off it, then deletes it. The foreign key would null offer_id too;
 * this update also stamps the products' updated_at.
 */
export async function deleteOffer(trx: Trx, id: number, now: string): Promise<void> {
  await trx
    .updateTable('products')
    .set({ offer_id: null, updated_at: now })
    .where('offer_id', '=', id)
    .execute();
  await trx.deleteFrom('offers').where('id', '=', id).execute();
}

/** The product an offer is about to be applied to: undefined when missing. */
export const findOfferTarget = (trx: Trx, productId: number) =>
  trx.selectFrom('products').select(['id', 'archived_at']).where('id', '=', productId).executeTakeFirst();

/** Puts a product on an offer, replacing any offer it had (a product has at most one). */
export async function setProductOffer(
  trx: Trx,
  productId: number,
  offerId: number,
  now: string,
): Promise<void> {
  await trx
    .updateTable('products')
    .set({ offer_id: offerId, updated_at: now })
    .where('id', '=', productId)
    .execute();
}
