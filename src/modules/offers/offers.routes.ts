import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, Message, PageOf, problemResponses } from '../../lib/schemas.js';
import { Product } from '../products/products.schemas.js';
import { ApplyParams, CreateOfferBody, Offer, OfferListQuery, UpdateOfferBody } from './offers.schemas.js';

export default async function offersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { offers } = app.services;
  const windowRules =
    'Times need an offset (Z or +05:45; a naive time is a 400); end_time > start_time; 0 < discount_percent <= 20. ' +
    'Active when start_time <= now < end_time (UTC).';

  app.get(
    '/offers/active',
    {
      config: { publicCache: true },
      schema: {
        tags: ['offers'],
        operationId: 'listActiveOffers',
        summary: 'Products on an offer active now',
        querystring: OfferListQuery,
        response: { 200: PageOf(Product), ...problemResponses(400) },
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
        operationId: 'listOffers',
        summary: 'List offers with their product ids',
        querystring: OfferListQuery,
        response: { 200: PageOf(Offer), ...problemResponses(400, 401, 403) },
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
        operationId: 'getOffer',
        summary: 'One offer with its product ids',
        params: IdParams,
        response: { 200: Offer, ...problemResponses(400, 401, 403, 404) },
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
        operationId: 'createOffer',
        summary: 'Create an offer',
        description: windowRules,
        body: CreateOfferBody,
        response: { 201: Offer, ...problemResponses(400, 401, 403) },
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
        operationId: 'updateOffer',
        summary: 'Update an offer (partial)',
        description: windowRules,
        params: IdParams,
        body: UpdateOfferBody,
        response: { 200: Offer, ...problemResponses(400, 401, 403, 404) },
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
        operationId: 'deleteOffer',
        summary: 'Delete an offer',
        description: 'Its products are detached and return to their list price.',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
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
        operationId: 'applyOffer',
        summary: 'Put a product on an offer',
        description: 'Replaces the offer the product had. 404 when the offer or the product does not exist.',
        params: ApplyParams,
        response: { 200: Message, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => offers.apply(request.params.offer_id, request.params.product_id),
  );
}
