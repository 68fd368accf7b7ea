import { type Static, Type } from 'typebox';
import { MoneyAmount, Pagination, RowId } from '../../lib/schemas.js';

export const ProductOffer = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  discount_percent: Type.Number({ description: 'Percent off, e.g. 15 or 12.5' }),
  start_time: Type.String({ format: 'date-time' }),
  end_time: Type.String({ format: 'date-time' }),
});

export const ProductImage = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  thumbnail_url: Type.String(),
});

export const Product = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Type.String(),
    price: Type.Number({ description: 'List price' }),
    current_price: Type.Number({ description: 'What a customer pays per unit now (offer applied)' }),
    is_on_offer: Type.Boolean(),
    discount_amount: Type.Number({ description: 'price - current_price' }),
    offer: Type.Union([ProductOffer, Type.Null()], { description: 'The offer active now, else null' }),
    stock: Type.Integer(),
    in_stock: Type.Boolean(),
    category_id: Type.Integer(),
    category: Type.Object({ id: Type.Integer(), name: Type.String() }),
    image_url: Type.Union([Type.String(), Type.Null()], { description: 'The main image (position 0)' }),
    images: Type.Array(ProductImage),
    serialized: Type.Boolean({ description: 'Stock is the count of available serialized units' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { description: 'A product with its current, offer-aware price' },
);
export type Product = Static<typeof Product>;

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Product name' });
const Description = Type.String({ maxLength: 5000, description: 'Product description (plain text)' });
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'Units in stock' });
const CategoryId = RowId({ description: 'A category id' });

export const CreateProductBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    price: MoneyAmount('List price'),
    stock: Type.Optional(Stock),
    category_id: CategoryId,
  },
  { additionalProperties: false },
);
export type CreateProductBody = Static<typeof CreateProductBody>;

export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    price: Type.Optional(MoneyAmount('List price')),
    stock: Type.Optional({ ...Stock, description: 'Not settable on serialized products (add units)' }),
    category_id: Type.Optional(CategoryId),
    offer_id: Type.Optional(
      Type.Union([RowId(), Type.Null()], {
        description: 'Attach an offer; null detaches',
      }),
    ),
  },
  { additionalProperties: false },
);
export type UpdateProductBody = Static<typeof UpdateProductBody>;

export const PRODUCT_SORTS = ['price', '-price', 'name', '-name', 'newest'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export const ProductFilters = {
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Full-text search: every word must match name or description, as a prefix; name matches first',
    }),
  ),
  min_price: Type.Optional(MoneyAmount('Lowest current price')),
  max_price: Type.Optional(MoneyAmount('Highest current price')),
  in_stock: Type.Optional(
    Type.Boolean({ description: 'true: only products with stock; false: only without' }),
  ),
  on_offer: Type.Optional(Type.Boolean({ description: 'On an offer active now' })),
  sort: Type.Optional(
    Type.Union(
      PRODUCT_SORTS.map((s) => Type.Literal(s)),
      { description: 'Default: relevance when q is given, else id' },
    ),
  ),
  ...Pagination,
};

export const ProductListQuery = Type.Object(
  { category_id: Type.Optional(CategoryId), ...ProductFilters },
  { additionalProperties: false },
);
export type ProductListQuery = Static<typeof ProductListQuery>;

export const CategoryProductsQuery = Type.Object(ProductFilters, { additionalProperties: false });
export type CategoryProductsQuery = Static<typeof CategoryProductsQuery>;
