import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, PageOf, problemResponses } from '../../lib/schemas.js';
import { CreateProductBody, Product, ProductListQuery, UpdateProductBody } from './products.schemas.js';

export default async function productsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { products } = app.services;
  const viewer = (request: { user: { isAdmin: boolean } | null }) => ({
    isAdmin: request.user?.isAdmin === true,
  });

  app.get(
    '/products',
    {
      onRequest: app.optionalUser,
      config: { publicCache: true },
      schema: {
        tags: ['catalog'],
        operationId: 'listProducts',
        summary: 'List products',
        description:
          'Live (non-archived) products. `q` is full-text search over name and description (every word must ' +
          'match, as a prefix); name matches rank first. Price filters apply to the current, offer-aware price. ' +
          'Sends a strong ETag (304 on If-None-Match), X-Total-Count and Link.',
        querystring: ProductListQuery,
        response: { 200: PageOf(Product), ...problemResponses(400) },
      },
    },
    async (request, reply) =>
      sendPage(request, reply, pageOf(request.query), await products.list(request.query)),
  );

  app.get(
    '/products/:id',
    {
      onRequest: app.optionalUser,
      config: { publicCache: true },
      schema: {
        tags: ['catalog'],
        operationId: 'getProduct',
        summary: 'One product',
        description: 'Archived products are 404 except for admins.',
        params: IdParams,
        response: { 200: Product, ...problemResponses(400, 404) },
      },
    },
    async (request) => products.get(request.params.id, viewer(request)),
  );

  app.post(
    '/products',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['catalog'],
        operationId: 'createProduct',
        summary: 'Create a product',
        description: 'An unknown category_id is a 400.',
        body: CreateProductBody,
        response: { 201: Product, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await products.create(request.body)),
  );

  // PUT is kept for seed clients; both are partial updates, so they differ only in operationId.
  const update = (operationId: string) => ({
    onRequest: app.requireAdmin,
    schema: {
      operationId,
      tags: ['catalog'],
      summary: 'Update a product (partial; PUT is a synonym of PATCH)',
      description:
        'Only the fields given change. `offer_id: null` detaches the offer. `stock` cannot be set on a ' +
        'serialized product (409): its stock is the count of its available units.',
      params: IdParams,
      body: UpdateProductBody,
      response: { 200: Product, ...problemResponses(400, 401, 403, 404, 409) },
    },
  });
  app.patch('/products/:id', update('updateProduct'), async (request) =>
    products.update(request.params.id, request.body),
  );
  app.put('/products/:id', update('putProduct'), async (request) =>
    products.update(request.params.id, request.body),
  );

  app.delete(
    '/products/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['catalog'],
        operationId: 'deleteProduct',
        summary: 'Delete a product',
        description:
          'A product that appears in orders is archived instead (hidden from the catalog, kept for past orders).',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await products.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
