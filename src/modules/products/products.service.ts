import type { AppContext } from '../../context.js';
import type { Executor, Trx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, conflict, invalidField, notFound } from '../../lib/errors.js';
import { groupBy } from '../../lib/group-by.js';
import { parseMoney, percentFromBasisPoints, toAmount } from '../../lib/money.js';
import type { Paged } from '../../lib/pagination.js';
import { priceVariant } from '../../lib/pricing.js';
import type { CatalogFreshness } from '../../plugins/catalog-cache/freshness.js';
import { recordEvent } from '../events/record.js';
import { noteStockChange } from '../insights/stock-row.js';
import { removeMediaFiles } from '../media/media.files.js';
import { deleteMediaRows } from '../media/media.repository.js';
import { type ProductSnapshot, ProductSnapshots } from './product-snapshots.js';
import {
  archiveProduct,
  categoryExists,
  deleteProductRow,
  findLiveProductRows,
  findProductRow,
  type ImageRow,
  insertProduct,
  isInOrders,
  listProductRows,
  loadImages,
  lockProduct,
  offerExists,
  offerOf,
  type ProductFilter,
  type ProductRow,
  productMedia,
  updateProductRow,
} from './products.repository.js';
import type { CreateProductBody, Product, ProductListQuery, UpdateProductBody } from './products.schemas.js';
import {
  everyCombination,
  firstRepeated,
  groupOptions,
  type OptionDef,
  optionJson,
  optionValuesOf,
  resolveCombination,
} from './variant-combination.js';
import {
  insertOption,
  insertOptionValues,
  insertVariants,
  loadOptionRows,
  loadPricingRowsOfProducts,
  loadStockOfProducts,
  loadVariantRows,
  type NewVariantRow,
  takenSkus,
  updateVariantRow,
  type VariantRow,
} from './variants.repository.js';
import type { NewOption, Variant, VariantChoice } from './variants.schemas.js';

export interface Viewer {
  isAdmin: boolean;
}

export type ProductQuery = ProductListQuery & {
  /** Only products on an offer active now (GET /offers/active). */
  activeOfferOnly?: boolean;
};

/** 409 for a SKU another variant holds (checked first for the message; the unique index decides). */
export function skuTaken(skus: readonly string[]) {
  return conflict(`SKU ${skus.map((s) => `"${s}"`).join(', ')} is already used by another variant`, {
    skus,
  });
}

/** Runs a write whose unique-index violation can only be a SKU taken meanwhile. */
export async function guardSku<T>(write: () => Promise<T>, skus: readonly string[]): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error) && skus.length > 0) throw skuTaken(skus);
    throw error;
  }
}

/** Inserts options and their values in position order (from `first`); returns them with their ids. */
export async function createOptions(
  trx: Trx,
  productId: number,
  options: readonly NewOption[],
  first: number,
  now: string,
): Promise<OptionDef[]> {
  const created: OptionDef[] = [];
  for (const [i, option] of options.entries()) {
    const id = await insertOption(trx, productId, option.name, first + i, now);
    created.push({
      id,
      name: option.name,
      position: first + i,
      values: await insertOptionValues(trx, id, option.values),
    });
  }
  return created;
}

/** The same option values twice in one option, or two options of one name: 400 naming it. */
export function checkOptionNames(options: readonly NewOption[], path = '/options'): void {
  const repeatedName = firstRepeated(options.map((o) => o.name));
  if (repeatedName !== undefined) throw invalidField(path, `option "${repeatedName}" is given twice`);
  for (const [i, option] of options.entries()) {
    const repeated = firstRepeated(option.values);
    if (repeated !== undefined) throw invalidField(`${path}/${i}/values`, `"${repeated}" is given twice`);
  }
}

/**
 * Products whose JSON a process keeps for carts: the ones in carts now, within the heap budget
 * (a product with many variants takes some 15 KB).
 */
const SNAPSHOT_ENTRIES = 1_000;

export class ProductsService {
  private readonly snapshots: ProductSnapshots | undefined;

  constructor(
    private readonly ctx: AppContext,
    catalog?: CatalogFreshness,
  ) {
    this.snapshots =
      catalog && new ProductSnapshots(catalog, () => ctx.clock.now().getTime(), SNAPSHOT_ENTRIES);
  }

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

  /**
   * Products by id as a cart shows and prices them (every id gets an answer; archived or unknown
   * ones without JSON), from memory while the catalog is unchanged.
   */
  forCart(ids: readonly number[]): Promise<Map<number, ProductSnapshot>> {
    const load = async (missing: readonly number[]) => {
      const [products, rows] = await Promise.all([
        this.getMany(this.ctx.db, missing),
        loadPricingRowsOfProducts(this.ctx.db, missing),
      ]);
      const variants = groupBy(rows, (r) => r.product_id);
      return new Map(
        missing.map((id) => [
          id,
          {
            product: products.get(id),
            variants: new Map((variants.get(id) ?? []).map((r) => [r.variant_id, r])),
          },
        ]),
      );
    };
    const loadStock = (productIds: readonly number[]) => loadStockOfProducts(this.ctx.db, productIds);
    return this.snapshots ? this.snapshots.getMany(ids, load, loadStock) : load(ids);
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
      options: query.option?.map((pair) => {
        const at = pair.indexOf(':');
        return [
          pair.slice(0, at).trim().toLowerCase(),
          pair
            .slice(at + 1)
            .trim()
            .toLowerCase(),
        ];
      }),
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

  /**
   * A product with its options and variants, all or nothing. Without options it gets one default
   * variant carrying `price` and `stock` (the seed way); `options` without `variants` make one
   * variant per combination (the product's price, stock 0).
   */
  async create(input: CreateProductBody): Promise<Product> {
    const price = parseMoney(input.price, '/price');
    const options = input.options ?? [];
    if (input.variants && options.length === 0) {
      throw invalidField('/variants', 'variants need options: give `options` naming their values');
    }
    if (options.length > 0 && input.stock !== undefined) {
      throw invalidField('/stock', 'stock belongs to the variants when options are given');
    }
    checkOptionNames(options);
    const variantPrices = (input.variants ?? []).map((v, i) =>
      v.price === undefined ? price : parseMoney(v.price, `/variants/${i}/price`),
    );
    const skus = (input.variants ?? []).flatMap((v) => (v.sku === undefined ? [] : [v.sku]));
    const repeatedSku = firstRepeated(skus);
    if (repeatedSku !== undefined) throw invalidField('/variants', `SKU "${repeatedSku}" is given twice`);
    const at = this.ctx.clock.now();
    const now = at.toISOString();
    return guardSku(
      () =>
        this.ctx.db.transaction().execute(async (trx) => {
          if (!(await categoryExists(trx, input.category_id))) {
            throw invalidField('/category_id', `category ${input.category_id} does not exist`);
          }
          const taken = await takenSkus(
            trx,
            skus.map((s) => s.toLowerCase()),
          );
          if (taken.length > 0) throw skuTaken(taken);
          const productId = await insertProduct(trx, {
            name: input.name,
            description: input.description ?? '',
            price_cents: price, // until its variants are written (the summary trigger takes over)
            category_id: input.category_id,
            created_at: now,
            updated_at: now,
          });
          const defs = await createOptions(trx, productId, options, 1, now);
          const base = {
            product_id: productId,
            serialized: 0,
            archived_at: null,
            created_at: now,
            updated_at: now,
          };
          let rows: NewVariantRow[];
          if (input.variants) {
            const seen = new Set<string>();
            rows = input.variants.map((v, i) => {
              const combination = resolveCombination(defs, v.option_values, `/variants/${i}/option_values`);
              if (seen.has(combination.option_key)) {
                throw invalidField(`/variants/${i}/option_values`, `${combination.title} is given twice`);
              }
              seen.add(combination.option_key);
              return {
                ...base,
                ...combination,
                sku: v.sku ?? null,
                sku_key: v.sku?.toLowerCase() ?? null,
                price_cents: variantPrices[i]!,
                stock: v.stock ?? 0,
              };
            });
          } else {
            rows = everyCombination(defs).map((combination) => ({
              ...base,
              ...combination,
              sku: null,
              sku_key: null,
              price_cents: price,
              stock: options.length > 0 ? 0 : (input.stock ?? 0),
            }));
          }
          await insertVariants(trx, rows);
          const product = await this.inTransaction(trx, productId);
          await recordEvent(trx, { type: 'product.created', data: product, at });
          return product;
        }),
      skus,
    );
  }

  /**
   * Partial update (PATCH and PUT alike): only the fields given change. `price` and `stock` are
   * the default variant's: with several live variants they are a 409 has_variants.
   */
  async update(id: number, input: UpdateProductBody): Promise<Product> {
    const changes: Record<string, unknown> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    if (input.category_id !== undefined) changes.category_id = input.category_id;
    if (input.offer_id !== undefined) changes.offer_id = input.offer_id;
    const price = input.price === undefined ? undefined : parseMoney(input.price, '/price');
    const at = this.ctx.clock.now();
    return this.ctx.db.transaction().execute(async (trx) => {
      // Locked so a units batch or a variant change cannot interleave with this one.
      if (!(await lockProduct(trx, id, this.ctx.dialect === 'postgres'))) throw notFound('Product');
      const now = at.toISOString();
      if (price !== undefined || input.stock !== undefined) {
        const variants = await loadVariantRows(trx, [id]);
        if (variants.length > 1) throw hasVariants(id, variants);
        const variant = variants[0]!;
        if (input.stock !== undefined && variant.serialized === 1) {
          throw conflict(
            'The stock of a serialized product is the count of its available units; add units instead of setting stock',
          );
        }
        await updateVariantRow(trx, variant.id, {
          ...(price === undefined ? {} : { price_cents: price }),
          ...(input.stock === undefined ? {} : { stock: input.stock }),
          updated_at: now,
        });
        if (input.stock !== undefined) {
          await noteStockChange(trx, {
            variantId: variant.id,
            before: variant.stock,
            after: input.stock,
            at,
          });
        }
      }
      if (input.category_id !== undefined && !(await categoryExists(trx, input.category_id))) {
        throw invalidField('/category_id', `category ${input.category_id} does not exist`);
      }
      if (typeof input.offer_id === 'number' && !(await offerExists(trx, input.offer_id))) {
        throw invalidField('/offer_id', `offer ${input.offer_id} does not exist`);
      }
      changes.updated_at = now;
      await updateProductRow(trx, id, changes);
      const product = await this.inTransaction(trx, id);
      await recordEvent(trx, { type: 'product.updated', data: product, at });
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
      if (!(await lockProduct(trx, id, this.ctx.dialect === 'postgres'))) throw notFound('Product');
      if (await isInOrders(trx, id)) {
        const archived = await archiveProduct(trx, id, now);
        if (Number(archived.numUpdatedRows) === 1) {
          await recordEvent(trx, { type: 'product.archived', data: await this.inTransaction(trx, id), at });
        }
        // Carts keep the line: their next read drops it with a notice telling the shopper why.
        return { kind: 'archived' as const, media: [] };
      }
      // Removed outright, it leaves the catalog all the same: the event carries it as it was last shown.
      await recordEvent(trx, { type: 'product.archived', data: await this.inTransaction(trx, id), at });
      const media = await productMedia(trx, id);
      await deleteProductRow(trx, id);
      await deleteMediaRows(
        trx,
        media.map((m) => m.id),
      );
      return { kind: 'deleted' as const, media };
    });
    await removeMediaFiles(this.ctx.storage, outcome.media);
    return outcome.kind;
  }

  /**
   * Rows to API objects: images and variants of all the rows in two queries, and options in a
   * third only when some of the variants have option values (a page of seed-made products has none).
   */
  async toProducts(executor: Executor, rows: readonly ProductRow[]): Promise<Product[]> {
    const ids = rows.map((r) => r.id);
    const [imageRows, variantRows] = await Promise.all([
      loadImages(executor, ids),
      loadVariantRows(executor, ids),
    ]);
    const optionRows = await loadOptionRows(
      executor,
      variantRows.filter((v) => v.option_key !== '').map((v) => v.product_id),
    );
    const images = groupBy(imageRows, (r) => r.product_id);
    const variants = groupBy(variantRows, (r) => r.product_id);
    const options = groupOptions(optionRows);
    const now = this.ctx.clock.now();
    return rows.map((row) =>
      this.toProduct(
        row,
        images.get(row.id) ?? [],
        options.get(row.id) ?? [],
        variants.get(row.id) ?? [],
        now,
      ),
    );
  }

  private toProduct(
    row: ProductRow,
    imageRows: readonly ImageRow[],
    options: readonly OptionDef[],
    variants: readonly VariantRow[],
    now: Date,
  ): Product {
    const offer = offerOf(row);
    // The summary columns: for several variants the lowest live price ("from") and the summed stock.
    const price = priceVariant(row.price_cents, offer, now);
    const active = price.activeOffer;
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
      is_on_offer: active !== null,
      discount_amount: toAmount(price.discount),
      offer: active && {
        id: active.id,
        name: active.name,
        discount_percent: percentFromBasisPoints(active.discount_bp),
        start_time: active.start_time,
        end_time: active.end_time,
      },
      stock: row.stock,
      in_stock: row.stock > 0,
      category_id: row.category_id,
      category: { id: row.category_id, name: row.category_name },
      image_url: images[0]?.url ?? null,
      images,
      serialized: row.serialized === 1,
      options: options.map(optionJson),
      variants: variants.map((v) => toVariant(v, options, offer, now)),
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }
}

/** A variant as the API shows it, priced through the one pricing function under its product's offer. */
export function toVariant(
  row: VariantRow,
  options: readonly OptionDef[],
  offer: ReturnType<typeof offerOf>,
  now: Date,
): Variant {
  const price = priceVariant(row.price_cents, offer, now);
  return {
    id: row.id,
    product_id: row.product_id,
    sku: row.sku,
    title: row.title,
    option_values: optionValuesOf(row, options),
    price: toAmount(price.originalPrice),
    current_price: toAmount(price.unitPrice),
    is_on_offer: price.activeOffer !== null,
    stock: row.stock,
    in_stock: row.stock > 0,
    serialized: row.serialized === 1,
    archived: row.archived_at !== null,
  };
}

/** 409: price and stock of a product with several variants are set on each variant. */
export function hasVariants(productId: number, variants: readonly VariantRow[]) {
  return new AppError(
    409,
    'has_variants',
    `Product ${productId} has ${variants.length} variants: set price and stock on each with PATCH /api/variants/{id}`,
    {
      variants: variants.map((v) => ({ id: v.id, sku: v.sku, title: v.title })),
      route: 'PATCH /api/variants/{id}',
    },
  );
}

/** 400: which variant is meant cannot be told; `variants` lists the choices. */
export const variantRequired = (detail: string, variants: VariantChoice[]) =>
  new AppError(400, 'variant_required', detail, { variants });

/** Thrown by callers that need a live product (units, offers, variants). */
export const archivedProduct = () => new AppError(409, 'conflict', 'This product is archived');
