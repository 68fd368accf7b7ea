import { Type } from 'typebox';
import { pageOf } from '../../../lib/pagination.js';
import { Category } from '../../categories/categories.schemas.js';
import { RecommendationsQuery } from '../../insights/insights.schemas.js';
import { ProductListQuery } from '../../products/products.schemas.js';
import { type AnyTool, pageResult, tool } from '../mcp.tool.js';
import { IdArg, ListOf, PageArgs } from './schemas.js';
import {
  ProductDetail,
  ProductSummary,
  productDetail,
  productSummary,
  RecommendationSummary,
  recommendationSummary,
} from './summaries.js';

// Amounts are already two-decimal numbers; toFixed only pads 19.9 to 19.90 for display.
export const line = (p: ProductSummary) =>
  `#${p.id} ${p.name} ${p.current_price.toFixed(2)}${p.stock > 0 ? '' : ' (out of stock)'}`;
const shown = (count: number, total: number, offset: number) =>
  count === 0 ? `none of ${total}` : `${offset + 1}-${offset + count} of ${total}`;

/** The read-only catalog: open to anyone, like the public REST GETs. */
export const catalogTools: AnyTool[] = [
  tool({
    name: 'search_products',
    title: 'Search products',
    description:
      'Search and filter the catalog (prices are the current, offer-aware ones). Returns summaries; ' +
      'get_product has the description and images.',
    audience: 'anyone',
    readOnly: true,
    input: ProductListQuery,
    output: ListOf(ProductSummary),
    async run(args, { services }) {
      const page = pageOf(args);
      const data = pageResult(await services.products.list(args), productSummary);
      return {
        data,
        summary: [
          `Products ${shown(data.items.length, data.total, page.offset)}`,
          ...data.items.map(line),
        ].join('\n'),
      };
    },
  }),

  tool({
    name: 'get_product',
    title: 'Get a product',
    description: 'One product with its description, current price, active offer, stock and image URLs.',
    audience: 'anyone',
    readOnly: true,
    input: Type.Object({ product_id: IdArg('The product') }, { additionalProperties: false }),
    output: ProductDetail,
    async run(args, { services, user }) {
      const product = await services.products.get(args.product_id, { isAdmin: user?.isAdmin === true });
      const data = productDetail(product);
      return { data, summary: line(data) };
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
      const data = pageResult(await services.categories.list(page.limit, page.offset), (c) => c);
      return {
        data,
        summary: [
          `Categories ${shown(data.items.length, data.total, page.offset)}`,
          ...data.items.map((c) => `#${c.id} ${c.name} (${c.product_count})`),
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
    output: ListOf(ProductSummary),
    async run(args, { services }) {
      const page = pageOf(args);
      const data = pageResult(await services.offers.active(page), productSummary);
      return {
        data,
        summary: [
          `On offer ${shown(data.items.length, data.total, page.offset)}`,
          ...data.items.map((p) => `${line(p)} (${p.offer_name}, was ${p.price.toFixed(2)})`),
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
    output: Type.Object({ items: Type.Array(RecommendationSummary) }),
    async run(args, { services }) {
      const items = (await services.insights.recommendations(args.product_id, args.limit ?? 10)).map(
        recommendationSummary,
      );
      return {
        data: { items },
        summary: [
          `${items.length} recommendations for product #${args.product_id}`,
          ...items.map((p) => `${line(p)} [${p.reason} ${p.score}]`),
        ].join('\n'),
      };
    },
  }),
];
