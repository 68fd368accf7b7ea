import type { AppContext } from '../../context.js';
import { buyableAmong, categorySales, type RankedProduct } from './insights.repository.js';

/** How long a category's ranking is reused: sales totals move slowly, stock is checked every time. */
export const BEST_SELLERS_TTL_MS = 60_000;
/** Products ranked per category; beyond them a category has no "best sellers" worth showing. */
const DEPTH = 5_000;

/**
 * Category best sellers for the recommendation top-up. Ranking a category sums every sale of its
 * products (about 140 ms for a category of 50,000 order lines on SQLite), so each process keeps
 * the ranking for a minute (by ctx.clock) and only checks, per request, which candidates are
 * still buyable: one primary-key query.
 */
export class CategoryBestSellers {
  private readonly rankings = new Map<number, { expires: number; ranked: RankedProduct[] }>();

  constructor(private readonly ctx: AppContext) {}

  async pick(categoryId: number, exclude: ReadonlySet<number>, count: number): Promise<RankedProduct[]> {
    const candidates = (await this.ranking(categoryId)).filter((r) => !exclude.has(r.product_id));
    const picked: RankedProduct[] = [];
    const chunk = Math.max(2 * count, 50); // most candidates are buyable: usually one query
    for (let i = 0; i < candidates.length && picked.length < count; i += chunk) {
      const slice = candidates.slice(i, i + chunk);
      const buyable = await buyableAmong(
        this.ctx.db,
        slice.map((c) => c.product_id),
      );
      for (const candidate of slice) {
        if (picked.length < count && buyable.has(candidate.product_id)) picked.push(candidate);
      }
    }
    return picked;
  }

  private async ranking(categoryId: number): Promise<RankedProduct[]> {
    const now = this.ctx.clock.now().getTime();
    const cached = this.rankings.get(categoryId);
    if (cached && cached.expires > now) return cached.ranked;
    const ranked = await categorySales(this.ctx.db, categoryId, DEPTH);
    this.rankings.set(categoryId, { expires: now + BEST_SELLERS_TTL_MS, ranked });
    return ranked;
  }
}
