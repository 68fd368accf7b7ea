import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { problemResponses } from '../../lib/schemas.js';
import { currentUser } from '../../plugins/auth.js';
import {
  AddToCartBody,
  AddToCartResponse,
  Cart,
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
          'discount_total (what checkout would charge now). Lines of withdrawn products leave the cart and are ' +
          'reported once in notices.',
        response: { 200: Cart, ...problemResponses(401) },
      },
    },
    async (request) => cart.view(currentUser(request).id),
  );

  app.post(
    '/cart',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'addCartItem',
        summary: 'Add a product to your cart',
        description:
          'Adds to the existing line. 409 insufficient_stock when the line would exceed the stock ' +
          '(available = stock now, in_cart = what the line already holds); a line holds at most 999.',
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
    '/cart/items/:product_id',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'updateCartItem',
        summary: 'Set the quantity of a line (0 removes it)',
        params: ProductIdParams,
        body: UpdateCartItemBody,
        response: { 200: Cart, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => cart.update(currentUser(request).id, request.params.product_id, request.body.quantity),
  );

  app.delete(
    '/cart/items/:product_id',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'removeCartItem',
        summary: 'Remove a line',
        params: ProductIdParams,
        response: { 204: Type.Null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await cart.remove(currentUser(request).id, request.params.product_id);
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
