import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, PageOf, problemResponses } from '../../lib/schemas.js';
import { AddUnitsBody, SerialParams, Unit, UnitListQuery, UnitLookup } from './units.schemas.js';

export default async function unitsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { units } = app.services;

  app.post(
    '/products/:id/units',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['catalog'],
        operationId: 'addUnits',
        summary: 'Add serialized units',
        description:
          '`{count}` generates UUID serials; `{serial_numbers}` uses yours. Serials are unique store-wide: a ' +
          'duplicate (in the batch or already stored) is a 409 naming it, and nothing is written. The product ' +
          'becomes serialized; its stock is then the count of its available units.',
        params: IdParams,
        body: AddUnitsBody,
        response: { 201: Type.Array(Unit), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await units.add(request.params.id, request.body)),
  );

  app.get(
    '/products/:id/units',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['catalog'],
        operationId: 'listUnits',
        summary: "A product's serialized units",
        params: IdParams,
        querystring: UnitListQuery,
        response: { 200: PageOf(Unit), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await units.list(request.params.id, request.query.status, page));
    },
  );

  app.get(
    '/units/:serial_number',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['catalog'],
        operationId: 'getUnitBySerial',
        summary: 'Warranty look-up by serial number',
        description: 'The unit, its product and, when sold, the order that bought it.',
        params: SerialParams,
        response: { 200: UnitLookup, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => units.lookup(request.params.serial_number),
  );
}
