import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../lib/schemas.js';
import { SalesReport, SalesReportQuery } from './reports.schemas.js';

export default async function reportsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { reports } = app.services;

  app.get(
    '/admin/reports/sales',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        operationId: 'getSalesReport',
        summary: 'Sales over a range of UTC days: totals, a series per period, top products',
        description:
          'An order counts on the UTC day it was placed when its money was captured and it is not ' +
          'cancelled; revenue is captured minus refunded. `from` and `to` are inclusive UTC dates ' +
          '(default: the last 30 days, today included); `from` after `to` is a 400. Every period of ' +
          'the range is in `series`, zeros included; weeks start on Monday.',
        querystring: SalesReportQuery,
        response: { 200: SalesReport, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => reports.sales(request.query),
  );
}
