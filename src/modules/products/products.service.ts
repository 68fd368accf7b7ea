import type { AppContext } from '../../context.js';
import type { Executor, Trx } from '../../db/database.js';
import { AppError, conflict, invalidField, notFound } from '../../lib/errors.js';
import { parseMoney, percentFromBasisPoints, toAmount } from '../../lib/money.js';
import type { Paged } from '../../lib/pagination.js';
import { priceProduct } from '../../lib/pricing.js';
import { recordEvent } from '../events/record.js';
import { noteStockChange } from '../insights/stock-row.js';
import { removeMediaFiles } from '../media/media.files.js';
import {
  categoryExists,
  findLiveProductRows,
  findProductRow,
  type ImageRow,
  isInOrders,
  listProductRows,
  loadImages,
  offerExists,
  offerOf,
  type ProductFilter,
  type ProductRow,
  productMedia,
} from './products.repository.js';
import type { CreateProductBody, Product, ProductListQuery, UpdateProductBody } from './products.schemas.js';

export { loadPricingRows, type PricingRow } from './products.repository.js';

export interface Viewer {
  isAdmin: boolean;
}

export type ProductQuery = ProductListQuery & {
  /** Only products on an offer active now (GET /offers/active). */
  activeOfferOnly?: boolean;
};

export class ProductsService {
  constructor(private readonly ctx: AppContext) {}

  /** One product. Archived ones exist only for admins (past orders still name them). */
  async get(id: number, viewer?: Viewer): Promise<Product> {
    const row = await findProductRow(this.ctx.db, id);
    if (!row || (row.archived_at !== null && !viewer?.isAdmin)) throw notFound('Product');
    return (await this.toProducts(this.ctx.db, [row]))[0]!;
  }

  /** A product as an admin sees it, read in `trx`: what an event says the change left. */
  async inTransaction(trx: Trx, id: number): Promise<Product> {
    const row = await findProductRow(trx, id);
    if (!row) throw notFound('Product');
    return (await this.toProducts(trx, [row]))[0]!;
  }

  /** Live (non-archived) products by id, e.g. the lines of a cart; missing ids are simply absent. */
  async getMany(executor: Executor, ids: readonly number[]): Promise<Map<number, Product>> {
    const products = await this.toProducts(executor, await findLiveProductRows(executor, ids));
    return new Map(products.map((p) => [p.id, p]));
  }

  async list(query: ProductQuery): Promise<Paged<Product>> {
    const filter: ProductFilter = {
      categoryId: query.category_id,
      q: query.q,
      minPrice:
        query.min_price === undefined ? undefined : parseMoney(query.min_price, 'querystring:/min_price'),
      maxPrice:
        query.max_price === undefined ? undefined : parseMoney(query.max_price, 'querystring:/max_price'),
      inStock: query.in_stock,
      onOffer: query.activeOfferOnly ? true : query.on_offer,
      sort: query.sort,
      limit: query.limit ?? 20,
      offset: query.offset ?? 0,
    };
    if (filter.minPrice !== undefined && filter.maxPrice !== undefined && filter.minPrice > filter.maxPrice) {
      throw invalidField('querystring:/min_price', 'must not exceed max_price');
    }
    const now = this.ctx.clock.now().toISOString();
    const { rows, total } = await listProductRows(this.ctx.db, this.ctx.dialect, filter, now);
    return { items: await this.toProducts(this.ctx.db, rows), total };
  }

  async create(input: CreateProductBody): Promise<Product> {
    const price = parseMoney(input.price, '/price');
    const at = this.ctx.clock.now();
    const now = at.toISOString();
    return this.ctx.db.transaction().execute(async (trx) => {
      if (!(await categoryExists(trx, input.category_id))) {
        throw invalidField('/category_id', `category ${input.category_id} does not exist`);
      }
      const row = await trx
        .insertInto('products')
        .values({
          name: input.name,
          description: input.description ?? '',
          price_cents: price,
          stock: input.stock ?? 0,
          category_id: input.category_id,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const product = await this.inTransaction(trx, row.id);
      await recordEvent(trx, { type: 'product.created', data: product, at });
      return product;
    });
  }

  /** Partial update (PATCH and PUT alike): only the fields given change. */
  async update(id: number, input: UpdateProductBody): Promise<Product> {
    const changes: Record<string, unknown> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    if (input.price !== undefined) changes.price_cents = parseMoney(input.price, '/price');
    if (input.stock !== undefined) changes.stock = input.stock;
    if (input.category_id !== undefined) changes.category_id = input.category_id;
    if (input.offer_id !== undefined) changes.offer_id = input.offer_id;
    const at = this.ctx.clock.now();
    return this.ctx.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('products')
        .select(['id', 'serialized', 'stock'])
        .where('id', '=', id)
        // Locked so a units batch cannot make it serialized between this check and the write.
        .$if(this.ctx.dialect === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirst();
      if (!current) throw notFound('Product');
      if (input.stock !== undefined && current.serialized === 1) {
        throw conflict(
          'The stock of a serialized product is the count of its available units; add units instead of setting stock',
        );
      }
      if (input.category_id !== undefined && !(await categoryExists(trx, input.category_id))) {
        throw invalidField('/category_id', `category ${input.category_id} does not exist`);
      }
      if (typeof input.offer_id === 'number' && !(await offerExists(trx, input.offer_id))) {
        throw invalidField('/offer_id', `offer ${input.offer_id} does not exist`);
      }
      changes.updated_at = at.toISOString();
      await trx.updateTable('products').set(changes).where('id', '=', id).execute();
      const product = await this.inTransaction(trx, id);
      await recordEvent(trx, { type: 'product.updated', data: product, at });
      await noteStockChange(trx, { productId: id, before: current.stock, after: product.stock, at });
      return product;
    });
  }

  /**
   * Deletes a product, or archives it when orders name it: past orders must read the same, so
   * their product row stays (hidden from the catalog). Returns what happened.
   */
  async remove(id: number): Promise<'deleted' | 'archived'> {
    const at = this.ctx.clock.now();
    const now = at.toISOString();
    const outcome = await this.ctx.db.transaction().execute(async (trx) => {
      // Locked (PostgreSQL) so an image upload committing now cannot leave a media row behind.
      const row = await trx
        .selectFrom('products')
        .select('id')
        .where('id', '=', id)
        .$if(this.ctx.dialect === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirst();
      if (!row) throw notFound('Product');
      if (await isInOrders(trx, id)) {
        const archived = await trx
          .updateTable('products')
          .set({ archived_at: now, updated_at: now })
          .where('id', '=', id)
          .where('archived_at', 'is', null)
          .executeTakeFirst();
        if (Number(archived.numUpdatedRows) === 1) {
          await recordEvent(trx, { type: 'product.archived', data: await this.inTransaction(trx, id), at });
        }
        // Carts keep the line: their next read drops it with a notice telling the shopper why.
        return { kind: 'archived' as const, media: [] };
      }
      // Removed outright, it leaves the catalog all the same: the event carries it as it was last shown.
      await recordEvent(trx, { type: 'product.archived', data: await this.inTransaction(trx, id), at });
      const media = await productMedia(trx, id);
      await trx.deleteFrom('products').where('id', '=', id).execute();
      if (media.length > 0) {
        await trx
          .deleteFrom('media')
          .where(
            'id',
            'in',
            media.map((m) => m.id),
          )
          .execute();
      }
      return { kind: 'deleted' as const, media };
    });
    await removeMediaFiles(this.ctx.storage, outcome.media);
    return outcome.kind;
  }

  /** Rows to API objects: images of all the rows in one query, prices through priceProduct. */
  async toProducts(executor: Executor, rows: readonly ProductRow[]): Promise<Product[]> {
    const images = new Map<number, ImageRow[]>();
    for (const image of await loadImages(
      executor,
      rows.map((r) => r.id),
    )) {
      const list = images.get(image.product_id);
      if (list) list.push(image);
      else images.set(image.product_id, [image]);
    }
    const now = this.ctx.clock.now();
    return rows.map((row) => this.toProduct(row, images.get(row.id) ?? [], now));
  }

  private toProduct(row: ProductRow, imageRows: readonly ImageRow[], now: Date): Product {
    const price = priceProduct(row.price_cents, offerOf(row), now);
    const offer = price.activeOffer;
    const images = imageRows.map((image) => ({
      id: image.id,
      url: this.ctx.storage.url(image.storage_key),
      thumbnail_url: this.ctx.storage.url(image.thumbnail_key),
    }));
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      price: toAmount(price.originalPrice),
      current_price: toAmount(price.unitPrice),
      is_on_offer: offer !== null,
      discount_amount: toAmount(price.discount),
      offer: offer && {
        id: offer.id,
        name: offer.name,
        discount_percent: percentFromBasisPoints(offer.discount_bp),
        start_time: offer.start_time,
        end_time: offer.end_time,
      },
      stock: row.stock,
      in_stock: row.stock > 0,
      category_id: row.category_id,
      category: { id: row.category_id, name: row.category_name },
      image_url: images[0]?.url ?? null,
      images,
      serialized: row.serialized === 1,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }
}

/** Thrown by callers that need a live product (units, offers). */
export const archivedProduct = () => new AppError(409, 'conflict', 'This product is archived');
