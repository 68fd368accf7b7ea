import type { Trx } from '../../db/database.js';
import { addDays } from '../../lib/time.js';
import { recordEvent } from '../events/record.js';
import { type InventoryRow, inventoryPage } from './insights.repository.js';
import { type InventoryItem, LOW_STOCK_THRESHOLD } from './insights.schemas.js';

export const SALES_WINDOW_DAYS = 30;
export const MIN_DAYS_OF_COVER = 7;

const round = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

/** The sales window of the inventory report at `now`. */
export const inventoryWindow = (now: Date) => ({
  since: addDays(now, -SALES_WINDOW_DAYS).toISOString(),
  until: now.toISOString(),
  windowDays: SALES_WINDOW_DAYS,
  minDaysOfCover: MIN_DAYS_OF_COVER,
});

/** A row of the inventory report as the API shows it. */
export const toInventoryItem = (row: InventoryRow): InventoryItem => ({
  variant_id: row.variant_id,
  sku: row.sku,
  variant_title: row.variant_title,
  product_id: row.product_id,
  name: row.name,
  category_id: row.category_id,
  stock: row.stock,
  sold_last_30_days: row.sold,
  daily_velocity: round(row.sold / SALES_WINDOW_DAYS, 2),
  days_of_cover: row.sold === 0 ? null : round((row.stock * SALES_WINDOW_DAYS) / row.sold, 1),
  reorder: row.reorder === 1,
});

export interface StockChange {
  variantId: number;
  before: number;
  after: number;
  at: Date;
}

/**
 * Records inventory.low_stock when a variant's stock crosses LOW_STOCK_THRESHOLD downward
 * (from at or above it to below it), in the transaction that changed the stock; the payload is
 * the variant's row of the inventory report (GET /api/admin/inventory) as it stands after the change.
 */
export const noteStockChange = (trx: Trx, change: StockChange) => noteStockChanges(trx, [change]);

/** noteStockChange for several variants changed at the same time: one read for all that crossed. */
export async function noteStockChanges(trx: Trx, changes: readonly StockChange[]): Promise<void> {
  const crossed = changes.filter((c) => c.before >= LOW_STOCK_THRESHOLD && c.after < LOW_STOCK_THRESHOLD);
  const at = crossed[0]?.at;
  if (at === undefined) return;
  const { items } = await inventoryPage(trx, {
    ...inventoryWindow(at),
    lowStockThreshold: LOW_STOCK_THRESHOLD,
    reorderOnly: false,
    categoryId: undefined,
    variantIds: crossed.map((c) => c.variantId),
    sort: 'id',
    limit: crossed.length,
    offset: 0,
  });
  const rows = new Map(items.map((row) => [row.variant_id, row]));
  // In the order of the changes, as one call per change would have recorded them.
  for (const change of crossed) {
    const row = rows.get(change.variantId);
    if (row)
      await recordEvent(trx, { type: 'inventory.low_stock', data: toInventoryItem(row), at: change.at });
  }
}
