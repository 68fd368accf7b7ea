import type { Executor, Trx } from '../../db/database.js';

function selectCategories(db: Executor) {
  return db
    .selectFrom('categories')
    .select((eb) => [
      'categories.id',
      'categories.name',
      eb
        .selectFrom('products')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('products.category_id', '=', 'categories.id')
        .where('products.archived_at', 'is', null)
        .as('product_count'),
    ]);
}

export type CategoryRow = Awaited<ReturnType<ReturnType<typeof selectCategories>['executeTakeFirstOrThrow']>>;

export const findCategory = (db: Executor, id: number) =>
  selectCategories(db).where('categories.id', '=', id).executeTakeFirst();

export async function listCategories(db: Executor, limit: number, offset: number) {
  const [items, count] = await Promise.all([
    selectCategories(db).orderBy('categories.id').limit(limit).offset(offset).execute(),
    db
      .selectFrom('categories')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.total) };
}

/** All products, archived ones too: the foreign key keeps a category while any product names it. */
export const countAllProducts = async (db: Executor, categoryId: number) =>
  Number(
    (
      await db
        .selectFrom('products')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('category_id', '=', categoryId)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Stores the name and its case-folded key, which the unique index compares. */
export async function insertCategory(db: Executor, name: string, now: string): Promise<number> {
  const row = await db
    .insertInto('categories')
    .values({ name, name_key: name.toLowerCase(), created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** false when there is no such category. */
export async function renameCategory(db: Executor, id: number, name: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('categories')
    .set({ name, name_key: name.toLowerCase(), updated_at: now })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteCategory(trx: Trx, id: number): Promise<void> {
  await trx.deleteFrom('categories').where('id', '=', id).execute();
}
