import type { CatalogFreshness } from '../../plugins/catalog-cache/freshness.js';
import type { Product } from './products.schemas.js';
import type { VariantPricingRow } from './variants.repository.js';

/** A product as a cart shows and prices it. */
export interface ProductSnapshot {
  /** Its JSON; undefined for a product that is archived or does not exist. */
  product: Product | undefined;
  /** Every variant's pricing row, archived ones included, by variant id. */
  variants: ReadonlyMap<number, VariantPricingRow>;
}

export type SnapshotLoader = (productIds: readonly number[]) => Promise<Map<number, ProductSnapshot>>;

/** Every variant's stock (archived ones included) of these products, by variant id. */
export type StockLoader = (productIds: readonly number[]) => Promise<Map<number, number>>;

/** A snapshot with its variants' stock as now: on the pricing rows, the variants' JSON and the product's sum. */
export function withStock(snapshot: ProductSnapshot, stock: ReadonlyMap<number, number>): ProductSnapshot {
  const variants = new Map(
    [...snapshot.variants].map(([id, row]) => [id, { ...row, stock: stock.get(id) ?? row.stock }]),
  );
  const { product } = snapshot;
  if (!product) return { product, variants };
  // products.stock is the summary the database keeps: the sum over the live variants.
  let sum = 0;
  for (const row of variants.values()) if (!row.archived) sum += row.stock;
  const variantJson = product.variants.map((v) => {
    const left = variants.get(v.id)?.stock ?? v.stock;
    return { ...v, stock: left, in_stock: left > 0 };
  });
  return { product: { ...product, stock: sum, in_stock: sum > 0, variants: variantJson }, variants };
}

interface Entry {
  snapshot: ProductSnapshot;
  /** The stock version its stock was read at. */
  stock: string;
}

/**
 * Products' JSON and pricing rows kept in memory, so that a cart read costs only its own lines.
 * The whole set is dropped when what a product shows besides stock may have changed (a write of
 * PRODUCT_TABLES in this process, once committed, or any write another process makes, through
 * NOTIFY or data_version) or an offer starts or ends; a stock change alone (a checkout elsewhere)
 * costs one statement that reads the current stock of the products asked for. While other
 * processes' writes could go unheard, nothing is reused. Bounded: least recently used first out.
 */
export class ProductSnapshots {
  private readonly entries = new Map<number, Entry>();
  private version: string | undefined;
  private validUntil = 0;

  constructor(
    private readonly freshness: CatalogFreshness,
    private readonly now: () => number,
    private readonly maxEntries: number,
  ) {}

  async getMany(
    ids: readonly number[],
    load: SnapshotLoader,
    loadStock: StockLoader,
  ): Promise<Map<number, ProductSnapshot>> {
    if (ids.length === 0) return new Map(); // an empty cart asks nothing, not even the offer boundary
    const version = this.freshness.current('products');
    if (version === undefined) return load(ids);
    if (version !== this.version || this.now() >= this.validUntil) {
      this.entries.clear();
      this.version = undefined;
      const validUntil = await this.freshness.validUntil();
      if (!this.freshness.unchangedSince(version, 'products')) return load(ids);
      this.version = version;
      this.validUntil = validUntil;
    }
    const stock = this.freshness.current('stock');
    if (stock === undefined) return load(ids);
    const found = new Map<number, ProductSnapshot>();
    const missing: number[] = [];
    const stale: number[] = [];
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry) {
        this.entries.delete(id); // re-inserted below: the Map's order is least recently used first
        this.entries.set(id, entry);
        found.set(id, entry.snapshot);
        if (entry.stock !== stock && !stale.includes(id)) stale.push(id);
      } else if (!missing.includes(id)) {
        missing.push(id);
      }
    }
    if (missing.length === 0 && stale.length === 0) return found;
    const [loaded, current] = await Promise.all([
      missing.length > 0 ? load(missing) : new Map<number, ProductSnapshot>(),
      stale.length > 0 ? loadStock(stale) : new Map<number, number>(),
    ]);
    // Read while the catalog may have moved on: kept only if nothing but stock changed meanwhile,
    // and marked with the stock version from before the reads, so a stock change since is read next time.
    const keep = this.version === version && this.freshness.unchangedSince(version, 'products');
    const refreshed = stale.map((id) => [id, withStock(found.get(id) as ProductSnapshot, current)] as const);
    for (const [id, snapshot] of [...loaded, ...refreshed]) {
      found.set(id, snapshot);
      if (keep) this.entries.set(id, { snapshot, stock });
    }
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as number);
    return found;
  }
}
