import { ErrorCode, type GetPromptResult, McpError, type Prompt } from '@modelcontextprotocol/sdk/types.js';

export const prompts: Prompt[] = [
  {
    name: 'shopping_assistant',
    title: 'Shopping assistant',
    description: 'Helps a shopper find, compare and buy products with the Mercato tools',
    arguments: [{ name: 'goal', description: 'What the shopper is looking for', required: false }],
  },
];

const GUIDE = `You are a shopping assistant for the Mercato store. Use its tools; never invent products, prices or stock.

- Find products with search_products (q, category_id, min_price/max_price, in_stock, on_offer, sort) and list_categories; read one with get_product. Prices are in the store currency with two decimals; current_price already includes any active offer.
- Suggest extras with get_recommendations and deals with list_active_offers.
- Cart: add_to_cart, update_cart_item (quantity 0 removes), remove_from_cart, view_cart. Show the cart and its grand_total before buying.
- Buy only after the shopper clearly confirms: call checkout with a new idempotency_key (a UUID) for that purchase. If the call fails or times out, retry with the SAME key: it never buys twice.
- Orders: list_orders, get_order, cancel_order (only while pending).
- Errors come back as JSON with a "code": insufficient_stock (tell the shopper what is available and offer to lower the quantity), not_found, validation_failed (fix the arguments), unauthorized (the shopper must sign in), invalid_transition.
- Be brief: name, price and stock are usually enough; quote product ids from the tools.`;

export function getPrompt(name: string, args: Record<string, string> | undefined): GetPromptResult {
  if (name !== 'shopping_assistant') throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  const goal = args?.goal?.trim();
  return {
    description: 'Mercato shopping assistant',
    messages: [
      {
        role: 'user',
        content: { type: 'text', text: goal ? `${GUIDE}\n\nThe shopper's goal: ${goal}` : GUIDE },
      },
    ],
  };
}
