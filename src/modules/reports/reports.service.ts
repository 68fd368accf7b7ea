import type { AppContext } from '../../context.js';
import { invalidField } from '../../lib/errors.js';
import { toAmount } from '../../lib/money.js';
import { addUtcDays, dayOf, parseUtcDate, periodStart, periodsBetween } from './periods.js';
import { dailySales, refundedCents, topProducts } from './reports.repository.js';
import type { ReportInterval, SalesReport, SalesReportQuery } from './reports.schemas.js';

export const DEFAULT_RANGE_DAYS = 30;
/** About ten years: enough for any report, small enough that a daily series stays a sane size. */
export const MAX_RANGE_DAYS = 3_660;
const TOP_PRODUCTS = 10;

interface Bucket {
  orders: number;
  revenue_cents: number;
  units: number;
}

/** Half-up to the cent, on integers only: no float ever holds money. */
const averageCents = (total: number, count: number) =>
  count === 0 ? 0 : Math.floor((2 * total + count) / (2 * count));

export class ReportsService {
  constructor(private readonly ctx: AppContext) {}

  async sales(query: SalesReportQuery): Promise<SalesReport> {
    const { from, to } = this.range(query);
    const interval: ReportInterval = query.interval ?? 'day';
    const range = { start: from.toISOString(), end: addUtcDays(to, 1).toISOString() };
    const [days, top, refunds] = await Promise.all([
      dailySales(this.ctx.db, range),
      topProducts(this.ctx.db, range, TOP_PRODUCTS),
      refundedCents(this.ctx.db, range),
    ]);

    const buckets = new Map<string, Bucket>(
      periodsBetween(from, to, interval).map((period) => [period, { orders: 0, revenue_cents: 0, units: 0 }]),
    );
    const totals: Bucket = { orders: 0, revenue_cents: 0, units: 0 };
    for (const day of days) {
      const bucket = buckets.get(dayOf(periodStart(parseUtcDate(day.day)!, interval)))!;
      for (const target of [bucket, totals]) {
        target.orders += day.orders;
        target.revenue_cents += day.revenue_cents;
        target.units += day.units;
      }
    }
    return {
      currency: this.ctx.config.currency,
      from: dayOf(from),
      to: dayOf(to),
      interval,
      totals: {
        orders: totals.orders,
        revenue: toAmount(totals.revenue_cents),
        units: totals.units,
        average_order_value: toAmount(averageCents(totals.revenue_cents, totals.orders)),
        refunds: toAmount(refunds),
      },
      series: [...buckets].map(([period, bucket]) => ({
        period,
        orders: bucket.orders,
        revenue: toAmount(bucket.revenue_cents),
        units: bucket.units,
      })),
      top_products: top.map((row) => ({
        product_id: row.product_id,
        name: row.name,
        units: row.units,
        revenue: toAmount(row.revenue_cents),
      })),
    };
  }

  private range(query: SalesReportQuery): { from: Date; to: Date } {
    const to = query.to ? parseUtcDate(query.to) : parseUtcDate(dayOf(this.ctx.clock.now()));
    if (!to) throw invalidField('/to', 'is not a real date');
    const from = query.from ? parseUtcDate(query.from) : addUtcDays(to, 1 - DEFAULT_RANGE_DAYS);
    if (!from) throw invalidField('/from', 'is not a real date');
    if (from > to) throw invalidField('/from', `must not be after to (${dayOf(to)})`);
    if ((to.getTime() - from.getTime()) / 86_400_000 >= MAX_RANGE_DAYS) {
      throw invalidField('/from', `the range may span at most ${MAX_RANGE_DAYS} days`);
    }
    return { from, to };
  }
}
