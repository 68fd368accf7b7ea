import { Type } from 'typebox';
import { pageOf } from '../../../lib/pagination.js';
import { Category } from '../../categories/categories.schemas.js';
import { Recommendation, RecommendationsQuery } from '../../insights/insights.schemas.js';
import { Product, ProductListQuery } from '../../products/products.schemas.js';
import { type AnyTool, pageResult, tool } from '../mcp.tool.js';
import { IdArg, ListOf, PageArgs } from './schemas.js';

// Amounts are already two-decimal numbers; toFixed only pads 19.9 to 19.90 for display.
export const line = (p: Product) =>
  `#${p.id} ${p.name} ${p.variants.length > 1 ? 'from ' : ''}${p.current_price.toFixed(2)}` +
  `${p.in_stock ? '' : ' (out of stock)'}${p.variants.length > 1 ? ` (${p.variants.length} variants)` : ''}`;

/** A product's variants, one short line each, for a model to pick a variant_id from. */
const variantLines = (p: Product) =>
  p.variants.length > 1
    ? p.variants.map(
        (v) =>
          `  variant ${v.id} ${v.title}${v.sku ? ` [${v.sku}]` : ''} ${v.current_price.toFixed(2)}` +
          `${v.in_stock ? ` (${v.stock} in stock)` : ' (out of stock)'}`,
      )
    : [];
const shown = (count: number, total: number, offset: number) =>
  count === 0 ? `none of ${total}` : `${offset + 1}-${offset + count} of ${total}`;

/** The read-only catalog: open to anyone, like the public REST GETs. */
export const catalogTools: AnyTool[] = [
  tool({
    name: 'search_products',
    title: 'Search products',
    description:
      'Search the catalog: full-text `q` over name and description (or an exact SKU), filters (category_id, ' +
      'min_price, max_price on the current offer-aware price, in_stock, on_offer, option ["Color:Red"]), sort ' +
      '(price, -price, name, -name, newest) and paging (limit 1-100, offset). Prices are amounts in the store ' +
      'currency; a product with several variants lists them (id, title, SKU, price, stock).',
    audience: 'anyone',
    readOnly: true,
    input: ProductListQuery,
    output: ListOf(Product),
    async run(args, { services }) {
      const page = pageOf(args);
      const result = await services.products.list(args);
      return {
        data: pageResult(result, page.limit, page.offset),
        summary: [
          `Products ${shown(result.items.length, result.total, page.offset)}`,
          ...result.items.flatMap((p) => [line(p), ...variantLines(p)]),
        ].join('\n'),
      };
    },
  }),

  tool({
    name: 'get_product',
    title: 'Get a product',
    description:
      'One product with its current price, active offer, stock, images, options and variants (add_to_cart ' +
      'takes a variant_id when there are several).',
    audience: 'anyone',
    readOnly: true,
    input: Type.Object({ product_id: IdArg('The product') }, { additionalProperties: false }),
    output: Product,
    async run(args, { services, user }) {
      const product = await services.products.get(args.product_id, { isAdmin: user?.isAdmin === true });
      return { data: product, summary: [line(product), ...variantLines(product)].join('\n') };
    },
  }),

  tool({
    name: 'list_categories',
    title: 'List categories',
    description: 'Product categories with how many products each holds (paged: limit, offset).',
    audience: 'anyone',
    readOnly: true,
    input: PageArgs,
    output: ListOf(Category),
    async run(args, { services }) {
      const page = pageOf(args);
      const result = await services.categories.list(page.limit, page.offset);
      return {
        data: pageResult(result, page.limit, page.offset),
        summary: [
          `Categories ${shown(result.items.length, result.total, page.offset)}`,
          ...result.items.map((c) => `#${c.id} ${c.name} (${c.product_count})`),
        ].join('\n'),
      };
    },
  }),

  tool({
    name: 'list_active_offers',
    title: 'Products on offer now',
    description: 'Products whose offer is active now, with their discounted prices (paged: limit, offset).',
    audience: 'anyone',
    readOnly: true,
    input: PageArgs,
    output: ListOf(Product),
    async run(args, { services }) {
      const page = pageOf(args);
      const result = await services.offers.active(page);
      return {
        data: pageResult(result, page.limit, page.offset),
        summary: [
          `On offer ${shown(result.items.length, result.total, page.offset)}`,
          ...result.items.map((p) => `${line(p)} (${p.offer?.name}, -${p.offer?.discount_percent}%)`),
        ].join('\n'),
      };
    },
  }),

  tool({
    name: 'get_recommendations',
    title: 'Recommendations for a product',
    description:
      'Products frequently bought together with this one (by how many orders pair them), topped up with ' +
      "the category's best sellers. Never the product itself or products that cannot be bought.",
    audience: 'anyone',
    readOnly: true,
    input: Type.Object(
      { product_id: IdArg('The product to recommend around'), ...RecommendationsQuery.properties },
      { additionalProperties: false },
    ),
    output: Type.Object({ items: Type.Array(Recommendation) }),
    async run(args, { services }) {
      const items = await services.insights.recommendations(args.product_id, args.limit ?? 10);
      return {
        data: { items },
        summary: [
          `${items.length} recommendations for product #${args.product_id}`,
          ...items.map((p) => `${line(p)} [${p.recommendation.reason} ${p.recommendation.score}]`),
        ].join('\n'),
      };
    },
  }),
];
