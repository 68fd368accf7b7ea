import type { Executor } from '../../db/database.js';

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
