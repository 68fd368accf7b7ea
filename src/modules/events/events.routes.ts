import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { problems } from '../../lib/schemas.js';
import { Event, EventsQuery } from './events.schemas.js';

export default async function eventsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { events } = app.services;

  app.get(
    '/admin/events',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', 'webhooks'],
        summary: 'The event log, newest first',
        description:
          'Every event recorded with the change it describes (a transactional outbox), whether or not an ' +
          'endpoint was subscribed. Filter by `type` and by `from` (created at or after).',
        security: [{ bearerAuth: [] }],
        querystring: EventsQuery,
        response: { 200: Type.Array(Event), ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await events.list(request.query, page));
    },
  );
}
