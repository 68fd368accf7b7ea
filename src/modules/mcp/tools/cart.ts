import { Type } from 'typebox';
import { invalidField } from '../../../lib/errors.js';
import { AddToCartBody, type Cart, UpdateCartItemBody } from '../../cart/cart.schemas.js';
import { type AnyTool, caller, tool } from '../mcp.tool.js';
import { IdArg, NoArgs } from './schemas.js';
import { CartSummary, cartSummary } from './summaries.js';

const LineOrProduct = {
  line_id: Type.Optional(IdArg('A cart line')),
  product_id: Type.Optional(IdArg('A product with one line')),
};
const which = (args: { line_id?: number; product_id?: number }) =>
  args.line_id !== undefined ? `Line ${args.line_id}` : `Product #${args.product_id}`;
const productOf = (args: { product_id?: number }) => {
  if (args.product_id === undefined) throw invalidField('/line_id', 'give line_id or product_id');
  return args.product_id;
};

/** The cart as a tool answers with it: lean structured content and a few lines of text. */
const answer = (full: Cart, head: string) => {
  const cart = cartSummary(full);
  const summary = [
    `${head}: ${cart.item_count} item(s), total ${cart.grand_total.toFixed(2)}`,
    ...cart.items.map(
      (l) =>
        `line ${l.line_id}: ${l.quantity} × #${l.product_id} ${l.name}` +
        `${l.variant_title === 'Default' ? '' : ` (${l.variant_title})`} = ${l.line_total.toFixed(2)}`,
    ),
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
      'Adds `quantity` (default 1) of a product to your cart, on top of what is already there. A product ' +
      'with several variants needs `variant_id` (see its variants; else variant_required lists them). ' +
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
    description:
      'Sets the quantity of a line of your cart (`line_id`, from view_cart), or of a product that has one ' +
      'line (`product_id`); 0 removes the line.',
    audience: 'user',
    readOnly: false,
    input: Type.Object(
      { ...LineOrProduct, ...UpdateCartItemBody.properties },
      { additionalProperties: false },
    ),
    output: CartSummary,
    async run(args, call) {
      const userId = caller(call).id;
      const cart =
        args.line_id !== undefined
          ? await call.services.cart.updateLine(userId, args.line_id, args.quantity)
          : await call.services.cart.updateProduct(userId, productOf(args), args.quantity);
      return answer(cart, `${which(args)} set to ${args.quantity}`);
    },
  }),

  tool({
    name: 'remove_from_cart',
    title: 'Remove from the cart',
    description:
      'Removes a line of your cart (`line_id`), or the line of a product that has one (`product_id`), and ' +
      'returns the cart.',
    audience: 'user',
    readOnly: false,
    input: Type.Object(LineOrProduct, { additionalProperties: false }),
    output: CartSummary,
    async run(args, call) {
      const userId = caller(call).id;
      if (args.line_id !== undefined) await call.services.cart.removeLine(userId, args.line_id);
      else await call.services.cart.removeProduct(userId, productOf(args));
      const cart = await call.services.cart.view(userId);
      return answer(cart, `Removed ${which(args)}`);
    },
  }),
];
