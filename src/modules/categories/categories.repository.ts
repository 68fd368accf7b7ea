import type { Executor } from '../../db/database.js';

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
