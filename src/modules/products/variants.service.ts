import type { AppContext } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { conflict, invalidField, notFound } from '../../lib/errors.js';
import { parseMoney } from '../../lib/money.js';
import { noteStockChange } from '../insights/stock-row.js';
import { findProductRow, lockProduct, offerOf } from './products.repository.js';
import type { Product } from './products.schemas.js';
import {
  archivedProduct,
  checkOptionNames,
  createOptions,
  guardSku,
  type ProductsService,
  skuTaken,
  toVariant,
  type Viewer,
} from './products.service.js';
import {
  combinationOf,
  groupOptions,
  type OptionDef,
  resolveCombination,
  valueIdAt,
} from './variant-combination.js';
import {
  deleteVariantRow,
  findVariantRow,
  insertOptionValues,
  insertVariants,
  loadOptionRows,
  loadVariantRows,
  renameOption,
  takenSkus,
  updateVariantRow,
  type VariantRow,
  variantInOrders,
} from './variants.repository.js';
import {
  MAX_OPTION_VALUES,
  MAX_OPTIONS,
  MAX_VARIANTS,
  type NewOption,
  type NewVariant,
  type UpdateOptionBody,
  type UpdateVariantBody,
  type Variant,
} from './variants.schemas.js';

const duplicateCombination = (path: string, title: string) =>
  invalidField(path, `${title} already exists as a variant of this product`);

/**
 * Variants and options of a product. Every write locks the product row first (PostgreSQL), so
 * two admins changing one product's variants take turns and the summary triggers see both.
 */
export class VariantsService {
  constructor(
    private readonly ctx: AppContext,
    private readonly products: ProductsService,
  ) {}

  private get lockRows() {
    return this.ctx.dialect === 'postgres';
  }

  private async options(executor: Trx | AppContext['db'], productId: number): Promise<OptionDef[]> {
    return groupOptions(await loadOptionRows(executor, [productId])).get(productId) ?? [];
  }

  /** The product's variants; archived ones (kept for orders) only for admins. */
  async list(productId: number, viewer: Viewer): Promise<Variant[]> {
    const product = await findProductRow(this.ctx.db, productId);
    if (!product || (product.archived_at !== null && !viewer.isAdmin)) throw notFound('Product');
    const [rows, options] = await Promise.all([
      loadVariantRows(this.ctx.db, [productId], viewer.isAdmin),
      this.options(this.ctx.db, productId),
    ]);
    const now = this.ctx.clock.now();
    return rows.map((row) => toVariant(row, options, offerOf(product), now));
  }

  async get(variantId: number): Promise<Variant> {
    const row = await findVariantRow(this.ctx.db, variantId);
    const product = row && (await findProductRow(this.ctx.db, row.product_id));
    if (!row || !product) throw notFound('Variant');
    return toVariant(
      row,
      await this.options(this.ctx.db, row.product_id),
      offerOf(product),
      this.ctx.clock.now(),
    );
  }

  /** A new variant: its option_values name exactly the product's options, in a combination not yet live. */
  async add(productId: number, input: NewVariant): Promise<Variant> {
    const price = input.price === undefined ? undefined : parseMoney(input.price, '/price');
    const skus = input.sku === undefined ? [] : [input.sku];
    const id = await guardSku(
      () =>
        this.ctx.db.transaction().execute(async (trx) => {
          const product = await this.lockLiveProduct(trx, productId);
          const options = await this.options(trx, productId);
          const combination = resolveCombination(options, input.option_values, '/option_values');
          const variants = await loadVariantRows(trx, [productId]);
          if (variants.some((v) => v.option_key === combination.option_key)) {
            throw duplicateCombination('/option_values', combination.title);
          }
          if (variants.length >= MAX_VARIANTS) {
            throw conflict(`A product has at most ${MAX_VARIANTS} live variants`);
          }
          const taken = await takenSkus(
            trx,
            skus.map((s) => s.toLowerCase()),
          );
          if (taken.length > 0) throw skuTaken(taken);
          const now = this.ctx.clock.now().toISOString();
          const [variantId] = await insertVariants(trx, [
            {
              product_id: product.id,
              ...combination,
              sku: input.sku ?? null,
              sku_key: input.sku?.toLowerCase() ?? null,
              // Defaults to the product's price: its lowest live variant's.
              price_cents: price ?? Math.min(...variants.map((v) => v.price_cents)),
              stock: input.stock ?? 0,
              serialized: 0,
              archived_at: null,
              created_at: now,
              updated_at: now,
            },
          ]);
          return variantId!;
        }),
      skus,
    );
    return this.get(id);
  }

  async update(variantId: number, input: UpdateVariantBody): Promise<Variant> {
    const price = input.price === undefined ? undefined : parseMoney(input.price, '/price');
    const skus = typeof input.sku === 'string' ? [input.sku] : [];
    const at = this.ctx.clock.now();
    await guardSku(
      () =>
        this.ctx.db.transaction().execute(async (trx) => {
          const variant = await this.lockVariant(trx, variantId);
          if (input.stock !== undefined && variant.serialized === 1) {
            throw conflict(
              'The stock of a serialized variant is the count of its available units; add units instead of setting stock',
            );
          }
          const taken = await takenSkus(
            trx,
            skus.map((s) => s.toLowerCase()),
            variantId,
          );
          if (taken.length > 0) throw skuTaken(taken);
          let combination = {};
          if (input.option_values !== undefined) {
            const next = resolveCombination(
              await this.options(trx, variant.product_id),
              input.option_values,
              '/option_values',
            );
            const siblings = await loadVariantRows(trx, [variant.product_id]);
            if (siblings.some((v) => v.id !== variantId && v.option_key === next.option_key)) {
              throw duplicateCombination('/option_values', next.title);
            }
            combination = next;
          }
          await updateVariantRow(trx, variantId, {
            ...combination,
            ...(input.sku === undefined ? {} : { sku: input.sku, sku_key: input.sku?.toLowerCase() ?? null }),
            ...(price === undefined ? {} : { price_cents: price }),
            ...(input.stock === undefined ? {} : { stock: input.stock }),
            updated_at: at.toISOString(),
          });
          if (input.stock !== undefined) {
            await noteStockChange(trx, { variantId, before: variant.stock, after: input.stock, at });
          }
        }),
      skus,
    );
    return this.get(variantId);
  }

  /**
   * Deletes a variant, or archives it when orders name it (they must read the same). The last
   * live variant of a product cannot go: delete the product instead.
   */
  async remove(variantId: number): Promise<'deleted' | 'archived'> {
    return this.ctx.db.transaction().execute(async (trx) => {
      const variant = await this.lockVariant(trx, variantId);
      if (variant.archived_at !== null) return 'archived';
      const live = await loadVariantRows(trx, [variant.product_id]);
      if (live.length <= 1) {
        throw conflict(
          `This is the last live variant of product ${variant.product_id}; delete the product instead`,
        );
      }
      if (await variantInOrders(trx, variantId)) {
        const now = this.ctx.clock.now().toISOString();
        await updateVariantRow(trx, variantId, { archived_at: now, updated_at: now });
        return 'archived';
      }
      await deleteVariantRow(trx, variantId);
      return 'deleted';
    });
  }

  /** A new option (up to 3): every existing variant gets its first value. */
  async addOption(productId: number, input: NewOption): Promise<Product> {
    checkOptionNames([input], '');
    await this.ctx.db.transaction().execute(async (trx) => {
      await this.lockLiveProduct(trx, productId);
      const options = await this.options(trx, productId);
      if (options.length >= MAX_OPTIONS) throw conflict(`A product has at most ${MAX_OPTIONS} options`);
      if (options.some((o) => o.name.toLowerCase() === input.name.toLowerCase())) {
        throw invalidField('/name', `this product already has an option "${input.name}"`);
      }
      const now = this.ctx.clock.now().toISOString();
      const position = Math.max(0, ...options.map((o) => o.position)) + 1;
      const [added] = await createOptions(trx, productId, [input], position, now);
      const all = [...options, added!];
      const first = added!.values[0]!.id;
      for (const variant of await loadVariantRows(trx, [productId], true)) {
        const ids = new Map(all.map((o) => [o.position, valueIdAt(variant, o.position) ?? first]));
        await updateVariantRow(trx, variant.id, { ...combinationOf(all, ids), updated_at: now });
      }
    });
    return this.products.get(productId, { isAdmin: true });
  }

  /** Renames an option and/or adds values to it (values it already has are kept as they are). */
  async updateOption(productId: number, optionId: number, input: UpdateOptionBody): Promise<Product> {
    await this.ctx.db.transaction().execute(async (trx) => {
      await this.lockLiveProduct(trx, productId);
      const options = await this.options(trx, productId);
      const option = options.find((o) => o.id === optionId);
      if (!option) throw notFound('Option');
      if (input.name !== undefined && input.name.toLowerCase() !== option.name.toLowerCase()) {
        if (options.some((o) => o.name.toLowerCase() === input.name!.toLowerCase())) {
          throw invalidField('/name', `this product already has an option "${input.name}"`);
        }
      }
      if (input.name !== undefined) await renameOption(trx, optionId, input.name);
      const known = new Set(option.values.map((v) => v.value.toLowerCase()));
      const fresh = [...new Map((input.values ?? []).map((v) => [v.toLowerCase(), v])).entries()]
        .filter(([key]) => !known.has(key))
        .map(([, value]) => value);
      if (known.size + fresh.length > MAX_OPTION_VALUES) {
        throw invalidField('/values', `an option has at most ${MAX_OPTION_VALUES} values`);
      }
      await insertOptionValues(trx, optionId, fresh);
    });
    return this.products.get(productId, { isAdmin: true });
  }

  private async lockLiveProduct(trx: Trx, productId: number) {
    const product = await lockProduct(trx, productId, this.lockRows);
    if (!product) throw notFound('Product');
    if (product.archived_at !== null) throw archivedProduct();
    return product;
  }

  /** The variant, its product locked first (the order every variant write takes). */
  private async lockVariant(trx: Trx, variantId: number): Promise<VariantRow> {
    const found = await findVariantRow(trx, variantId);
    if (!found) throw notFound('Variant');
    await lockProduct(trx, found.product_id, this.lockRows);
    const variant = await findVariantRow(trx, variantId);
    if (!variant) throw notFound('Variant');
    return variant;
  }
}
