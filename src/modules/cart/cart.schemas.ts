import { type Static, Type } from 'typebox';
import { RowId } from '../../lib/schemas.js';
import { Product } from '../products/products.schemas.js';

export const MAX_LINE_QUANTITY = 999;

const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY, description: 'Units (1-999)' });

export const AddToCartBody = Type.Object(
  {
    product_id: RowId({ description: 'The product to add' }),
    quantity: Type.Optional({ ...Quantity, default: 1 }),
  },
  { additionalProperties: false },
);
export type AddToCartBody = Static<typeof AddToCartBody>;

export const UpdateCartItemBody = Type.Object(
  { quantity: Type.Integer({ minimum: 0, maximum: MAX_LINE_QUANTITY, description: '0 removes the line' }) },
  { additionalProperties: false },
);

export const ProductIdParams = Type.Object({
  product_id: RowId(),
});

export const CartLine = Type.Object({
  id: Type.Integer(),
  product_id: Type.Integer(),
  product: Product,
  quantity: Type.Integer(),
  unit_price: Type.Number({ description: 'Price per unit now, offer applied' }),
  line_total: Type.Number({ description: 'unit_price × quantity' }),
});
export type CartLine = Static<typeof CartLine>;

export const CartNotice = Type.Object({
  product_id: Type.Integer(),
  code: Type.Union([Type.Literal('product_unavailable'), Type.Literal('insufficient_stock')]),
  message: Type.String(),
  available: Type.Optional(Type.Integer()),
});
export type CartNotice = Static<typeof CartNotice>;

export const Cart = Type.Object({
  items: Type.Array(CartLine),
  item_count: Type.Integer({ description: 'Sum of the quantities' }),
  subtotal: Type.Number({ description: 'Sum of list price × quantity' }),
  discount_total: Type.Number({ description: 'Sum of offer discounts × quantity' }),
  grand_total: Type.Number({ description: 'subtotal − discount_total: what checkout would charge now' }),
  notices: Type.Array(CartNotice, {
    description:
      'What changed since you last looked: lines whose product was withdrawn (removed from the cart) ' +
      'and lines asking for more than is in stock (kept; checkout would refuse them)',
  }),
});
export type Cart = Static<typeof Cart>;

export const AddToCartResponse = Type.Object({ message: Type.String(), cart: Cart });
