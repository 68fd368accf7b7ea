import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { IdParams, problemResponses } from '../../lib/schemas.js';
import { Product } from './products.schemas.js';
import {
  NewOption,
  NewVariant,
  OptionParams,
  UpdateOptionBody,
  UpdateVariantBody,
  Variant,
} from './variants.schemas.js';

export default async function variantsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { variants } = app.services;
  const tags = ['catalog'];

  app.get(
    '/products/:id/variants',
    {
      onRequest: app.optionalUser,
      schema: {
        tags,
        operationId: 'listVariants',
        summary: "A product's variants",
        description: 'Archived variants (kept for the orders that name them) are listed for admins only.',
        params: IdParams,
        response: { 200: Type.Array(Variant), ...problemResponses(400, 404) },
      },
    },
    async (request) => variants.list(request.params.id, { isAdmin: request.user?.isAdmin === true }),
  );

  app.post(
    '/products/:id/variants',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'createVariant',
        summary: 'Add a variant',
        description:
          '`option_values` must name exactly the product’s options, with values they have; a combination ' +
          'that a live variant already has is a 400. `price` defaults to the product’s (lowest) price. A SKU ' +
          'another variant holds is a 409.',
        params: IdParams,
        body: NewVariant,
        response: { 201: Variant, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await variants.add(request.params.id, request.body)),
  );

  app.patch(
    '/variants/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'updateVariant',
        summary: 'Update a variant',
        description:
          'Only the fields given change. `stock` of a serialized variant is its available units (409). ' +
          '`sku: null` removes the SKU.',
        params: IdParams,
        body: UpdateVariantBody,
        response: { 200: Variant, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => variants.update(request.params.id, request.body),
  );

  app.delete(
    '/variants/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'deleteVariant',
        summary: 'Delete a variant',
        description:
          'A variant that appears in orders is archived instead (orders read the same). The last live ' +
          'variant of a product cannot go (409): delete the product.',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await variants.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/products/:id/options',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'createOption',
        summary: 'Add an option',
        description:
          'Up to 3 options. Every existing variant gets the new option’s first value. → the product.',
        params: IdParams,
        body: NewOption,
        response: { 201: Product, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await variants.addOption(request.params.id, request.body)),
  );

  app.patch(
    '/products/:id/options/:option_id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'updateOption',
        summary: 'Rename an option or add values to it',
        description: '`values` lists values to add; values the option already has stay. → the product.',
        params: OptionParams,
        body: UpdateOptionBody,
        response: { 200: Product, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => variants.updateOption(request.params.id, request.params.option_id, request.body),
  );
}
