import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, PageOf, problemResponses } from '../../lib/schemas.js';
import { CategoryProductsQuery, Product } from '../products/products.schemas.js';
import { Category, CategoryBody, CategoryListQuery } from './categories.schemas.js';

export default async function categoriesRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { categories } = app.services;

  app.get(
    '/categories',
    {
      config: { publicCache: true },
      schema: {
        tags: ['catalog'],
        operationId: 'listCategories',
        summary: 'List categories',
        description:
          'Paginated like every list (limit 1-100, default 20); the 20 seed categories fit one page.',
        querystring: CategoryListQuery,
        response: { 200: PageOf(Category), ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await categories.list(page.limit, page.offset));
    },
  );

  app.get(
    '/categories/:id/products',
    {
      onRequest: app.optionalUser,
      config: { publicCache: true },
      schema: {
        tags: ['catalog'],
        operationId: 'listCategoryProducts',
        summary: 'Products of one category',
        description:
          'Takes the filters and sorts of GET /api/products. 404 when the category does not exist.',
        params: IdParams,
        querystring: CategoryProductsQuery,
        response: { 200: PageOf(Product), ...problemResponses(400, 404) },
      },
    },
    async (request, reply) =>
      sendPage(
        request,
        reply,
        pageOf(request.query),
        await categories.listProducts(request.params.id, request.query),
      ),
  );

  app.post(
    '/categories',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['catalog'],
        operationId: 'createCategory',
        summary: 'Create a category',
        description: 'Names are unique ignoring case (409).',
        body: CategoryBody,
        response: { 201: Category, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await categories.create(request.body)),
  );

  app.patch(
    '/categories/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['catalog'],
        operationId: 'updateCategory',
        summary: 'Rename a category',
        params: IdParams,
        body: CategoryBody,
        response: { 200: Category, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => categories.update(request.params.id, request.body),
  );

  app.delete(
    '/categories/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['catalog'],
        operationId: 'deleteCategory',
        summary: 'Delete an empty category',
        description: 'A category that still has products (archived ones included) is a 409.',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await categories.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
