import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/errors.js';
import { conflict, notFound } from '../../lib/errors.js';
import type { Paged } from '../../lib/pagination.js';
import type { Product } from '../products/products.schemas.js';
import type { ProductQuery, ProductsService } from '../products/products.service.js';
import {
  type CategoryRow,
  countAllProducts,
  deleteCategory,
  findCategory,
  insertCategory,
  listCategories,
  renameCategory,
} from './categories.repository.js';
import type { Category, CategoryBody } from './categories.schemas.js';

const toCategory = (row: CategoryRow): Category => ({
  id: row.id,
  name: row.name,
  product_count: Number(row.product_count ?? 0),
});

export class CategoriesService {
  constructor(
    private readonly ctx: AppContext,
    private readonly catalog: ProductsService,
  ) {}

  async list(limit = 20, offset = 0): Promise<Paged<Category>> {
    const { items, total } = await listCategories(this.ctx.db, limit, offset);
    return { items: items.map(toCategory), total };
  }

  async get(id: number): Promise<Category> {
    const row = await findCategory(this.ctx.db, id);
    if (!row) throw notFound('Category');
    return toCategory(row);
  }

  async listProducts(id: number, query: Omit<ProductQuery, 'category_id'>): Promise<Paged<Product>> {
    await this.get(id);
    return this.catalog.list({ ...query, category_id: id });
  }

  async create(input: CategoryBody): Promise<Category> {
    const now = this.ctx.clock.now().toISOString();
    const name = input.name.trim();
    const id = await this.unique(name, () => insertCategory(this.ctx.db, name, now));
    return this.get(id);
  }

  async update(id: number, input: CategoryBody): Promise<Category> {
    const name = input.name.trim();
    const now = this.ctx.clock.now().toISOString();
    if (!(await this.unique(name, () => renameCategory(this.ctx.db, id, name, now))))
      throw notFound('Category');
    return this.get(id);
  }

  /** Refused while any product (archived ones included) is in the category. */
  async remove(id: number): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await findCategory(trx, id))) throw notFound('Category');
      const count = await countAllProducts(trx, id);
      if (count > 0) {
        throw conflict(`The category still has ${count} product(s); move or delete them first`, {
          product_count: count,
        });
      }
      await deleteCategory(trx, id);
    });
  }

  private async unique<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`A category named "${name}" already exists`);
      throw error;
    }
  }
}
