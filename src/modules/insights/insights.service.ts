import type { AppContext } from '../../context.js';
import type { Paged } from '../../lib/pagination.js';
import type { ProductsService } from '../products/products.service.js';
import { CategoryBestSellers } from './best-sellers.js';
import { boughtTogether, type InventorySort, inventoryPage } from './insights.repository.js';
import {
  type InventoryItem,
  type InventoryQuery,
  LOW_STOCK_THRESHOLD,
  type Recommendation,
} from './insights.schemas.js';
import { inventoryWindow, toInventoryItem } from './stock-row.js';

export class InsightsService {
  private readonly bestSellers: CategoryBestSellers;

  constructor(
    private readonly ctx: AppContext,
    private readonly products: ProductsService,
  ) {
    this.bestSellers = new CategoryBestSellers(ctx);
  }

  /**
   * "Frequently bought together" first; when that gives fewer than `limit`, the rest are the
   * same category's best sellers. Never the product itself, archived or out-of-stock products.
   * An archived or unknown product is a 404, as on its own page.
   */
  async recommendations(productId: number, limit: number): Promise<Recommendation[]> {
    const product = await this.products.get(productId);
    const ranked: Array<{
      product_id: number;
      reason: Recommendation['recommendation']['reason'];
      score: number;
    }> = (await boughtTogether(this.ctx.db, productId, limit)).map((row) => ({
      product_id: row.product_id,
      reason: 'bought_together',
      score: Number(row.score),
    }));
    if (ranked.length < limit) {
      const exclude = new Set([productId, ...ranked.map((r) => r.product_id)]);
      const sellers = await this.bestSellers.pick(product.category_id, exclude, limit - ranked.length);
      for (const row of sellers) ranked.push({ ...row, reason: 'best_seller' });
    }
    const found = await this.products.getMany(
      this.ctx.db,
      ranked.map((r) => r.product_id),
    );
    // A product archived between the two reads is simply left out.
    return ranked.flatMap(({ product_id, reason, score }) => {
      const item = found.get(product_id);
      return item ? [{ ...item, recommendation: { reason, score } }] : [];
    });
  }

  async inventory(query: InventoryQuery, limit: number, offset: number): Promise<Paged<InventoryItem>> {
    const { items, total } = await inventoryPage(this.ctx.db, {
      ...inventoryWindow(this.ctx.clock.now()),
      lowStockThreshold: query.low_stock_threshold ?? LOW_STOCK_THRESHOLD,
      reorderOnly: query.reorder ?? false,
      categoryId: query.category_id,
      sort: (query.sort ?? 'days_of_cover') as InventorySort,
      limit,
      offset,
    });
    return { total, items: items.map(toInventoryItem) };
  }
}
