import { type Static, Type } from 'typebox';

export const ReportInterval = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
  description: 'Size of a series period; weeks start on Monday (ISO)',
});
export type ReportInterval = Static<typeof ReportInterval>;

const UtcDate = (description: string) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `${description} (YYYY-MM-DD, UTC)` });

export const SalesReportQuery = Type.Object(
  {
    from: Type.Optional(UtcDate('First day, inclusive; default: 29 days before `to`')),
    to: Type.Optional(UtcDate('Last day, inclusive; default: today')),
    interval: Type.Optional({ ...ReportInterval, default: 'day' }),
  },
  { additionalProperties: false },
);
export type SalesReportQuery = Static<typeof SalesReportQuery>;

const Amount = (description: string) => Type.Number({ description: `${description} (two decimals)` });

export const SalesPeriod = Type.Object({
  period: Type.String({
    description: 'First day of the period (YYYY-MM-DD); a week or month may start before `from`',
  }),
  orders: Type.Integer(),
  revenue: Amount('Captured minus refunded, for the orders placed in this period'),
  units: Type.Integer(),
});

export const TopProduct = Type.Object({
  product_id: Type.Integer(),
  name: Type.String({ description: 'The name on the order lines (as sold)' }),
  units: Type.Integer(),
  revenue: Amount('Sum of its line totals'),
});

export const SalesReport = Type.Object({
  currency: Type.String({ description: 'ISO 4217 code of every amount (CURRENCY)' }),
  from: Type.String({ description: 'First day of the range (UTC)' }),
  to: Type.String({ description: 'Last day of the range (UTC)' }),
  interval: ReportInterval,
  totals: Type.Object({
    orders: Type.Integer(),
    revenue: Amount('Captured minus refunded'),
    units: Type.Integer(),
    average_order_value: Amount('revenue / orders, rounded half-up to the cent; 0 without orders'),
    refunds: Amount('Refunded in the range'),
  }),
  series: Type.Array(SalesPeriod, { description: 'Every period of the range, oldest first, zeros included' }),
  top_products: Type.Array(TopProduct, { description: 'Up to 10, by revenue, then units' }),
});
export type SalesReport = Static<typeof SalesReport>;
