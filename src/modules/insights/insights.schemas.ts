import { type Static, Type } from 'typebox';
import { Pagination, RowId } from '../../lib/schemas.js';
import { Product } from '../products/products.schemas.js';

export const RecommendationsQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'How many products (1-50)' }),
    ),
  },
  { additionalProperties: false },
);
export type RecommendationsQuery = Static<typeof RecommendationsQuery>;

export const RecommendationReason = Type.Union([
  Type.Literal('bought_together'),
  Type.Literal('best_seller'),
]);

export const Recommendation = Type.Object(
  {
    ...Product.properties,
    recommendation: Type.Object({
      reason: RecommendationReason,
      score: Type.Integer({
        description: 'bought_together: orders containing both products; best_seller: units sold',
      }),
    }),
  },
  { description: 'A product with why it is recommended' },
);
export type Recommendation = Static<typeof Recommendation>;

/** Stock below this is low: the inventory report's default, and where inventory.low_stock fires. */
export const LOW_STOCK_THRESHOLD = 5;

export const INVENTORY_SORTS = ['days_of_cover', '-days_of_cover', 'id'] as const;

export const InventoryQuery = Type.Object(
  {
    low_stock_threshold: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000_000,
        default: LOW_STOCK_THRESHOLD,
        description: 'Flag for reorder when stock is below this',
      }),
    ),
    reorder: Type.Optional(Type.Boolean({ description: 'true: only variants flagged for reorder' })),
    category_id: Type.Optional(RowId({ description: 'Only products of this category' })),
    sort: Type.Optional(
      Type.Union(
        INVENTORY_SORTS.map((s) => Type.Literal(s)),
        {
          default: 'days_of_cover',
          description: 'days_of_cover: most urgent first (never sold = infinite cover, last); id',
        },
      ),
    ),
    ...Pagination,
  },
  { additionalProperties: false },
);
export type InventoryQuery = Static<typeof InventoryQuery>;

export const InventoryItem = Type.Object({
  variant_id: Type.Integer(),
  sku: Type.Union([Type.String(), Type.Null()]),
  variant_title: Type.String({ description: '"Red / M"; "Default" for a product without options' }),
  product_id: Type.Integer(),
  name: Type.String({ description: 'The product’s name' }),
  category_id: Type.Integer(),
  stock: Type.Integer(),
  sold_last_30_days: Type.Integer({
    description: 'Units in non-cancelled orders placed in the last 30 days',
  }),
  daily_velocity: Type.Number({ description: 'sold_last_30_days / 30, rounded to 2 decimals' }),
  days_of_cover: Type.Union([Type.Number(), Type.Null()], {
    description: 'stock / daily velocity, rounded to 1 decimal; null when nothing sold',
  }),
  reorder: Type.Boolean({ description: 'stock < low_stock_threshold or days_of_cover < 7' }),
});
export type InventoryItem = Static<typeof InventoryItem>;
