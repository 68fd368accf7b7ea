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

/**
 * Products' JSON and pricing rows kept in memory while the catalog is unchanged, so that a cart
 * read costs only its own lines. The whole set is dropped when the catalog version moves (any
 * catalog write, in this process or — through NOTIFY or data_version — another) or an offer
 * starts or ends, exactly as the response store's entries are; while other processes' writes could
 * go unheard, nothing is reused. Bounded: least recently used first out.
 */
export class ProductSnapshots {
  private readonly entries = new Map<number, ProductSnapshot>();
  private version: string | undefined;
  private validUntil = 0;

  constructor(
    private readonly freshness: CatalogFreshness,
    private readonly now: () => number,
    private readonly maxEntries: number,
  ) {}

  async getMany(ids: readonly number[], load: SnapshotLoader): Promise<Map<number, ProductSnapshot>> {
    if (ids.length === 0) return new Map(); // an empty cart asks nothing, not even the offer boundary
    const version = this.freshness.current();
    if (version === undefined) return load(ids);
    if (version !== this.version || this.now() >= this.validUntil) {
      this.entries.clear();
      this.version = undefined;
      const validUntil = await this.freshness.validUntil(version);
      if (!this.freshness.unchangedSince(version)) return load(ids);
      this.version = version;
      this.validUntil = validUntil;
    }
    const found = new Map<number, ProductSnapshot>();
    const missing: number[] = [];
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry) {
        this.entries.delete(id); // re-inserted below: the Map's order is least recently used first
        this.entries.set(id, entry);
        found.set(id, entry);
      } else if (!missing.includes(id)) {
        missing.push(id);
      }
    }
    if (missing.length === 0) return found;
    const loaded = await load(missing);
    // Read while the catalog may have moved on: kept only if nothing changed meanwhile.
    const keep = this.version === version && this.freshness.unchangedSince(version);
    for (const [id, entry] of loaded) {
      found.set(id, entry);
      if (keep) this.entries.set(id, entry);
    }
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as number);
    return found;
  }
}
