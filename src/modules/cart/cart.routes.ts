import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { problemResponses } from '../../lib/schemas.js';
import { sendSerialized, serializerOf } from '../../lib/serialized.js';
import { currentUser } from '../../plugins/auth.js';
import {
  AddToCartBody,
  AddToCartResponse,
  Cart,
  LineIdParams,
  ProductIdParams,
  UpdateCartItemBody,
} from './cart.schemas.js';

export default async function cartRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { cart } = app.services;
  const tags = ['cart'];

  app.get(
    '/cart',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'getCart',
        summary: 'Your cart at current (offer-aware) prices',
        description:
          'subtotal is list price × quantity, discount_total the offers’ savings, grand_total = subtotal − ' +
          'discount_total (what checkout would charge now). Lines of withdrawn products or variants leave the ' +
          'cart and are reported once in notices.',
        response: { 200: Cart, ...problemResponses(401) },
      },
    },
    async (request, reply) =>
      sendSerialized(reply, await cart.rendered(currentUser(request).id, serializerOf(reply))),
  );

  app.post(
    '/cart',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'addCartItem',
        summary: 'Add a product (a variant of it) to your cart',
        description:
          'Adds to the existing line of that variant. `variant_id` may be left out only for a product with ' +
          'one variant (else 400 variant_required, whose `variants` lists them). 409 insufficient_stock when ' +
          'the line would exceed the stock (available = stock now, in_cart = what the line already holds); a ' +
          'line holds at most 999.',
        body: AddToCartBody,
        response: { 201: AddToCartResponse, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await cart.add(currentUser(request).id, request.body);
      return reply.code(201).send({ message: 'Added to cart', cart: result });
    },
  );

  app.patch(
    '/cart/lines/:line_id',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'updateCartLine',
        summary: 'Set the quantity of a line (0 removes it)',
        params: LineIdParams,
        body: UpdateCartItemBody,
        response: { 200: Cart, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      cart.updateLine(currentUser(request).id, request.params.line_id, request.body.quantity),
  );

  app.delete(
    '/cart/lines/:line_id',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'removeCartLine',
        summary: 'Remove a line',
        params: LineIdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await cart.removeLine(currentUser(request).id, request.params.line_id);
      return reply.code(204).send(null);
    },
  );

  const seedForm =
    'The seed-era form, by product: for a product with one line in your cart; with several (variants) ' +
    'it is a 400 variant_required: use /api/cart/lines/{line_id}.';
  app.patch(
    '/cart/items/:product_id',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'updateCartItem',
        summary: "Set the quantity of a product's line (0 removes it)",
        description: seedForm,
        params: ProductIdParams,
        body: UpdateCartItemBody,
        response: { 200: Cart, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      cart.updateProduct(currentUser(request).id, request.params.product_id, request.body.quantity),
  );

  app.delete(
    '/cart/items/:product_id',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'removeCartItem',
        summary: "Remove a product's line",
        description: seedForm,
        params: ProductIdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await cart.removeProduct(currentUser(request).id, request.params.product_id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/cart',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'clearCart',
        summary: 'Empty your cart',
        response: { 204: Type.Null(), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      await cart.clear(currentUser(request).id);
      return reply.code(204).send(null);
    },
  );
}
