import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { conflict, invalidField, notFound } from '../../lib/errors.js';
import { toAmount } from '../../lib/money.js';
import type { Page, Paged } from '../../lib/pagination.js';
import { lockProduct } from '../products/products.repository.js';
import { archivedProduct, type ProductsService, variantRequired } from '../products/products.service.js';
import { loadVariantRows, syncSerializedStock } from '../products/variants.repository.js';
import { existingSerials, findUnitBySerial, insertUnits, listUnitRows } from './units.repository.js';
import type { AddUnitsBody, Unit, UnitLookup } from './units.schemas.js';

const toUnit = (row: Unit): Unit => ({
  id: row.id,
  product_id: row.product_id,
  variant_id: row.variant_id,
  serial_number: row.serial_number,
  status: row.status,
  order_item_id: row.order_item_id,
  created_at: row.created_at,
  sold_at: row.sold_at,
});

function duplicateIn(serials: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const serial of serials) {
    if (seen.has(serial)) return serial;
    seen.add(serial);
  }
  return undefined;
}

export class UnitsService {
  constructor(
    private readonly ctx: AppContext,
    private readonly products: ProductsService,
  ) {}

  /**
   * Adds serialized units (given serials, or generated UUIDs). All or nothing: a serial repeated in
   * the batch or already in the store is a 409 naming it. The variant (`variant_id`, which may be
   * left out for a one-variant product) becomes serialized and its stock the count of its available
   * units, in the same transaction.
   */
  async add(productId: number, input: AddUnitsBody): Promise<Unit[]> {
    if ((input.count === undefined) === (input.serial_numbers === undefined)) {
      throw invalidField('/', 'give exactly one of count or serial_numbers');
    }
    const serials = input.serial_numbers ?? Array.from({ length: input.count! }, () => randomUUID());
    const repeated = duplicateIn(serials);
    if (repeated !== undefined) {
      throw conflict(`Serial number "${repeated}" appears more than once in the request`, {
        serial_numbers: [repeated],
      });
    }
    const now = this.ctx.clock.now().toISOString();
    try {
      return await this.ctx.db.transaction().execute(async (trx) => {
        // Locked (PostgreSQL) so a concurrent batch or checkout waits and the stock count below
        // sees every committed unit; SQLite's BEGIN IMMEDIATE already serializes writers.
        const product = await lockProduct(trx, productId, this.ctx.dialect === 'postgres');
        if (!product) throw notFound('Product');
        if (product.archived_at !== null) throw archivedProduct();
        const variantId = await this.variantFor(trx, productId, input.variant_id);
        const taken = await existingSerials(trx, serials);
        if (taken.length > 0) {
          throw conflict(`Serial number "${taken[0]}" already exists`, { serial_numbers: taken });
        }
        const rows = await insertUnits(trx, { product_id: productId, variant_id: variantId }, serials, now);
        await syncSerializedStock(trx, variantId, now);
        return rows.map(toUnit);
      });
    } catch (error) {
      // Another request inserted one of these serials between our check and our insert.
      if (isUniqueViolation(error)) throw conflict('One of these serial numbers already exists');
      throw error;
    }
  }

  /** The live variant the units are for: the one named, or the product's only one. */
  private async variantFor(trx: Trx, productId: number, variantId: number | undefined): Promise<number> {
    const live = await loadVariantRows(trx, [productId]);
    if (variantId !== undefined) {
      if (!live.some((v) => v.id === variantId)) {
        throw invalidField('/variant_id', `is not a live variant of product ${productId}`);
      }
      return variantId;
    }
    if (live.length > 1) {
      throw variantRequired(
        `Product ${productId} has ${live.length} variants: say which one the units are of with variant_id`,
        live.map((v) => ({ id: v.id, sku: v.sku, title: v.title })),
      );
    }
    return live[0]!.id;
  }

  async list(productId: number, status: 'available' | 'sold' | undefined, page: Page): Promise<Paged<Unit>> {
    await this.products.get(productId, { isAdmin: true });
    const { items, total } = await listUnitRows(this.ctx.db, productId, status, page.limit, page.offset);
    return { items: items.map(toUnit), total };
  }

  /** Warranty look-up: the unit, its product (archived or not) and the order that bought it. */
  async lookup(serial: string): Promise<UnitLookup> {
    const row = await findUnitBySerial(this.ctx.db, serial);
    if (!row) throw notFound('Unit');
    return {
      ...toUnit(row),
      product: await this.products.get(row.product_id, { isAdmin: true }),
      order:
        row.order_id === null
          ? null
          : {
              id: row.order_id,
              user_id: row.order_user_id,
              status: row.order_status!,
              created_at: row.order_created_at!,
              shipped_at: row.order_shipped_at,
              delivered_at: row.order_delivered_at,
              cancelled_at: row.order_cancelled_at,
              unit_price: toAmount(row.order_unit_price_cents!),
            },
    };
  }
}
