import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, PageOf, problemResponses } from '../../lib/schemas.js';
import { InventoryItem, InventoryQuery, Recommendation, RecommendationsQuery } from './insights.schemas.js';

export default async function insightsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { insights } = app.services;

  app.get(
    '/products/:id/recommendations',
    {
      // Cached like the catalog: any order or catalog write advances the version it is keyed on.
      config: { publicCache: true },
      schema: {
        tags: ['ai'],
        operationId: 'getRecommendations',
        summary: 'Products to recommend next to this one',
        description:
          '"Frequently bought together": products in the most non-cancelled orders with this one, ' +
          "counted over this product's 2,000 most recent orders (ties by id); then the same category's " +
          'best sellers by units sold in non-cancelled orders (never-sold ones last, by id; the ranking is ' +
          'refreshed at most once a minute, stock is checked on every request). Never the product itself, ' +
          'archived or out-of-stock products. A ranked top list: `limit` only, no paging headers. ' +
          'An archived or unknown product is 404.',
        params: IdParams,
        querystring: RecommendationsQuery,
        response: { 200: Type.Array(Recommendation), ...problemResponses(400, 404) },
      },
    },
    async (request) => insights.recommendations(request.params.id, request.query.limit ?? 10),
  );

  app.get(
    '/admin/inventory',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', 'ai'],
        operationId: 'getInventoryReport',
        summary: 'Inventory insights: sales velocity, days of cover, reorder flags',
        description:
          'Per live product: stock, units sold in non-cancelled orders placed in the last 30 days, ' +
          'daily velocity (sold / 30), days of cover (stock / velocity; null when nothing sold) and ' +
          '`reorder` when stock < low_stock_threshold or cover < 7 days.',
        querystring: InventoryQuery,
        response: { 200: PageOf(InventoryItem), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await insights.inventory(request.query, page.limit, page.offset));
    },
  );
}
