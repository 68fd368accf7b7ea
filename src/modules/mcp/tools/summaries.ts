import { type Static, Type } from 'typebox';
import type { Cart } from '../../cart/cart.schemas.js';
import type { Recommendation } from '../../insights/insights.schemas.js';
import type { Order } from '../../orders/orders.schemas.js';
import type { Product } from '../../products/products.schemas.js';

// What the tools return: a model reads every byte of a result, and every tool's output schema is
// in the tool list, so results carry what a shopper or an admin acts on (ids, names, prices,
// stock, status), not the REST representation with its nested objects. Details are one
// get_product or get_order away.

const Money = Type.Number();
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const VariantSummary = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  sku: NullableString,
  current_price: Money,
  stock: Type.Integer(),
});

export const ProductSummary = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  price: Type.Number({ description: 'List price' }),
  current_price: Type.Number({ description: 'Price now, offer applied' }),
  stock: Type.Integer(),
  category_id: Type.Integer(),
  offer_id: Type.Union([Type.Integer(), Type.Null()]),
  offer_name: NullableString,
  variants: Type.Array(VariantSummary),
});
export type ProductSummary = Static<typeof ProductSummary>;

export const productSummary = (p: Product): ProductSummary => ({
  id: p.id,
  name: p.name,
  price: p.price,
  current_price: p.current_price,
  stock: p.stock,
  category_id: p.category_id,
  offer_id: p.offer?.id ?? null,
  offer_name: p.offer?.name ?? null,
  variants: p.variants.map(({ id, title, sku, current_price, stock }) => ({
    id,
    title,
    sku,
    current_price,
    stock,
  })),
});

export const ProductDetail = Type.Object({
  ...ProductSummary.properties,
  description: Type.String(),
  category: Type.String({ description: 'Category name' }),
  serialized: Type.Boolean(),
  images: Type.Array(Type.String(), { description: 'Image URLs, main image first' }),
});
export type ProductDetail = Static<typeof ProductDetail>;

export const productDetail = (p: Product): ProductDetail => ({
  ...productSummary(p),
  description: p.description,
  category: p.category.name,
  serialized: p.serialized,
  images: p.images.map((image) => image.url),
});

export const RecommendationSummary = Type.Object({
  ...ProductSummary.properties,
  reason: Type.String(),
  score: Type.Integer(),
});

export const recommendationSummary = (r: Recommendation): Static<typeof RecommendationSummary> => ({
  ...productSummary(r),
  reason: r.recommendation.reason,
  score: r.recommendation.score,
});

export const CartSummary = Type.Object({
  items: Type.Array(
    Type.Object({
      line_id: Type.Integer(),
      product_id: Type.Integer(),
      variant_id: Type.Integer(),
      name: Type.String(),
      variant_title: Type.String(),
      quantity: Type.Integer(),
      unit_price: Money,
      line_total: Money,
    }),
  ),
  item_count: Type.Integer(),
  discount_total: Money,
  grand_total: Type.Number({ description: 'What checkout would charge now' }),
  notices: Type.Array(
    Type.Object({ product_id: Type.Integer(), code: Type.String(), message: Type.String() }),
  ),
});
export type CartSummary = Static<typeof CartSummary>;

export const cartSummary = (cart: Cart): CartSummary => ({
  items: cart.items.map((line) => ({
    line_id: line.id,
    product_id: line.product_id,
    variant_id: line.variant_id,
    name: line.product.name,
    variant_title: line.variant.title,
    quantity: line.quantity,
    unit_price: line.unit_price,
    line_total: line.line_total,
  })),
  item_count: cart.item_count,
  discount_total: cart.discount_total,
  grand_total: cart.grand_total,
  notices: cart.notices.map(({ product_id, code, message }) => ({ product_id, code, message })),
});

/** An order in a list or after a status change: its lines are one get_order away. */
export const OrderRow = Type.Object({
  id: Type.Integer(),
  status: Type.String(),
  payment_status: Type.String(),
  created_at: Type.String(),
  total: Money,
  item_count: Type.Integer({ description: 'Units ordered' }),
});

export const orderRow = (o: Order): Static<typeof OrderRow> => ({
  id: o.id,
  status: o.status,
  payment_status: o.payment_status,
  created_at: o.created_at,
  total: o.total,
  item_count: o.items.reduce((sum, item) => sum + item.quantity, 0),
});

export const OrderSummary = Type.Object({
  id: Type.Integer(),
  status: Type.String(),
  payment_status: Type.String(),
  created_at: Type.String(),
  estimated_delivery_date: Type.String(),
  shipping_address: NullableString,
  total: Money,
  items: Type.Array(
    Type.Object({
      product_id: Type.Integer(),
      variant_id: Type.Integer(),
      product_name: Type.String(),
      variant_title: Type.String(),
      quantity: Type.Integer(),
      unit_price: Money,
      line_total: Money,
      serial_numbers: Type.Array(Type.String()),
    }),
  ),
});
export type OrderSummary = Static<typeof OrderSummary>;

export const orderSummary = (o: Order): OrderSummary => ({
  id: o.id,
  status: o.status,
  payment_status: o.payment_status,
  created_at: o.created_at,
  estimated_delivery_date: o.estimated_delivery_date,
  shipping_address: o.shipping_address,
  total: o.total,
  items: o.items.map(
    ({
      product_id,
      variant_id,
      product_name,
      variant_title,
      quantity,
      unit_price,
      line_total,
      serial_numbers,
    }) => ({
      product_id,
      variant_id,
      product_name,
      variant_title,
      quantity,
      unit_price,
      line_total,
      serial_numbers,
    }),
  ),
});
