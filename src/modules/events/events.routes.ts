import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { PageOf, problemResponses } from '../../lib/schemas.js';
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
        operationId: 'listEvents',
        summary: 'The event log, newest first',
        description:
          'Every event recorded with the change it describes (a transactional outbox), whether or not an ' +
          'endpoint was subscribed. Filter by `type` and by `from` (created at or after).',
        querystring: EventsQuery,
        response: { 200: PageOf(Event), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await events.list(request.query, page));
    },
  );
}
