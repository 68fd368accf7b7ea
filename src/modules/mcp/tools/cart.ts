import { Type } from 'typebox';
import { AddToCartBody, type Cart, UpdateCartItemBody } from '../../cart/cart.schemas.js';
import { type AnyTool, caller, tool } from '../mcp.tool.js';
import { IdArg, NoArgs } from './schemas.js';
import { CartSummary, cartSummary } from './summaries.js';

/** The cart as a tool answers with it: lean structured content and a few lines of text. */
const answer = (full: Cart, head: string) => {
  const cart = cartSummary(full);
  const summary = [
    `${head}: ${cart.item_count} item(s), total ${cart.grand_total.toFixed(2)}`,
    ...cart.items.map((l) => `${l.quantity} × #${l.product_id} ${l.name} = ${l.line_total.toFixed(2)}`),
    ...cart.notices.map((n) => `Note: ${n.message}`),
  ].join('\n');
  return { data: cart, summary };
};

/** The signed-in user's cart, through CartService like /api/cart. Each tool answers with the cart. */
export const cartTools: AnyTool[] = [
  tool({
    name: 'view_cart',
    title: 'View the cart',
    description: 'Your cart priced now (offers applied), with totals and notices about stock changes.',
    audience: 'user',
    readOnly: true,
    input: NoArgs,
    output: CartSummary,
    async run(_args, call) {
      const cart = await call.services.cart.view(caller(call).id);
      return answer(cart, 'Cart');
    },
  }),

  tool({
    name: 'add_to_cart',
    title: 'Add to the cart',
    description:
      'Adds `quantity` (default 1) of a product to your cart, on top of what is already there. ' +
      'Fails with insufficient_stock naming what is available.',
    audience: 'user',
    readOnly: false,
    additive: true,
    input: AddToCartBody,
    output: CartSummary,
    async run(args, call) {
      const cart = await call.services.cart.add(caller(call).id, args);
      return answer(cart, `Added product #${args.product_id}`);
    },
  }),

  tool({
    name: 'update_cart_item',
    title: 'Change a cart quantity',
    description: 'Sets the quantity of a product already in your cart; 0 removes the line.',
    audience: 'user',
    readOnly: false,
    input: Type.Object(
      { product_id: IdArg('The product in the cart'), ...UpdateCartItemBody.properties },
      { additionalProperties: false },
    ),
    output: CartSummary,
    async run(args, call) {
      const cart = await call.services.cart.update(caller(call).id, args.product_id, args.quantity);
      return answer(cart, `Product #${args.product_id} set to ${args.quantity}`);
    },
  }),

  tool({
    name: 'remove_from_cart',
    title: 'Remove from the cart',
    description: 'Removes a product from your cart and returns the cart.',
    audience: 'user',
    readOnly: false,
    input: Type.Object({ product_id: IdArg('The product to remove') }, { additionalProperties: false }),
    output: CartSummary,
    async run(args, call) {
      const userId = caller(call).id;
      await call.services.cart.remove(userId, args.product_id);
      const cart = await call.services.cart.view(userId);
      return answer(cart, `Removed product #${args.product_id}`);
    },
  }),
];
