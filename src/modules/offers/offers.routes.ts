import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, Message, problems } from '../../lib/schemas.js';
import { Product } from '../products/products.schemas.js';
import { ApplyParams, CreateOfferBody, Offer, OfferListQuery, UpdateOfferBody } from './offers.schemas.js';

export default async function offersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { offers } = app.services;
  const security = [{ bearerAuth: [] }];
  const windowRules =
    'Times need an offset (Z or +05:45; a naive time is a 400); end_time > start_time; 0 < discount_percent <= 20. ' +
    'Active when start_time <= now < end_time (UTC).';

  app.get(
    '/offers/active',
    {
      config: { publicCache: true },
      schema: {
        tags: ['offers'],
        summary: 'Products on an offer active now',
        querystring: OfferListQuery,
        response: { 200: Type.Array(Product), ...problems(400) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await offers.active(page));
    },
  );

  app.get(
    '/offers',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['offers'],
        summary: 'List offers with their product ids',
        security,
        querystring: OfferListQuery,
        response: { 200: Type.Array(Offer), ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await offers.list(page));
    },
  );

  app.get(
    '/offers/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['offers'],
        summary: 'One offer with its product ids',
        security,
        params: IdParams,
        response: { 200: Offer, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => offers.get(request.params.id),
  );

  app.post(
    '/offers',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['offers'],
        summary: 'Create an offer',
        description: windowRules,
        security,
        body: CreateOfferBody,
        response: { 201: Offer, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await offers.create(request.body)),
  );

  app.patch(
    '/offers/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['offers'],
        summary: 'Update an offer (partial)',
        description: windowRules,
        security,
        params: IdParams,
        body: UpdateOfferBody,
        response: { 200: Offer, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => offers.update(request.params.id, request.body),
  );

  app.delete(
    '/offers/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['offers'],
        summary: 'Delete an offer',
        description: 'Its products are detached and return to their list price.',
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await offers.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/offers/:offer_id/apply/:product_id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['offers'],
        summary: 'Put a product on an offer',
        description: 'Replaces the offer the product had. 404 when the offer or the product does not exist.',
        security,
        params: ApplyParams,
        response: { 200: Message, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => offers.apply(request.params.offer_id, request.params.product_id),
  );
}
