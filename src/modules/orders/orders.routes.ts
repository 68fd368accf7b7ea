import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, PageOf, problemResponses } from '../../lib/schemas.js';
import { currentUser } from '../../plugins/auth.js';
import {
  AdminOrdersQuery,
  CheckoutBody,
  CheckoutHeaders,
  CheckoutResponse,
  Order,
  OrdersQuery,
  UpdateStatusBody,
} from './orders.schemas.js';

export default async function ordersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { checkout, orders } = app.services;
  const tags = ['orders'];

  app.post(
    '/checkout',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'checkout',
        summary: 'Buy everything in your cart',
        description:
          'One transaction: every line’s stock is taken (never below zero), serialized units allocated, the ' +
          'order written with price snapshots at checkout time, the cart emptied. 409 insufficient_stock lists ' +
          'every short line (`items: [{product_id, product_name, requested, available}]`) and changes nothing. ' +
          'An empty cart is 400. With an Idempotency-Key, a retry (same body; cart unchanged or already ' +
          'emptied by the first request) answers 200 with the first order; the key bound to a different ' +
          'checkout is 409 idempotency_key_reused. Keys live 24 h.',
        headers: CheckoutHeaders,
        body: Type.Optional(CheckoutBody),
        response: {
          201: CheckoutResponse,
          200: { ...CheckoutResponse, description: 'A replay of the checkout this Idempotency-Key made' },
          ...problemResponses(400, 401, 409),
        },
      },
    },
    async (request, reply) => {
      const result = await checkout.checkout(
        currentUser(request).id,
        request.body,
        request.headers['idempotency-key'],
      );
      return reply
        .code(result.created ? 201 : 200)
        .send({ message: 'Checkout successful', total_paid: result.order.total, order: result.order });
    },
  );

  app.get(
    '/orders',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'listOrders',
        summary: 'Your orders, newest first',
        querystring: OrdersQuery,
        response: { 200: PageOf(Order), ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      const filter = { userId: currentUser(request).id, status: request.query.status };
      return sendPage(request, reply, page, await orders.list(filter, page));
    },
  );

  app.get(
    '/orders/:id',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'getOrder',
        summary: 'One of your orders (admins: any order)',
        description: 'Another customer’s order is 404, as if it did not exist.',
        params: IdParams,
        response: { 200: Order, ...problemResponses(401, 404) },
      },
    },
    async (request) => orders.get(currentUser(request), request.params.id),
  );

  app.post(
    '/orders/:id/cancel',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'cancelOrder',
        summary: 'Cancel a pending order',
        description:
          'By its owner (or an admin) while pending; stock and serialized units return in the same transaction. ' +
          'Any other status is 409 invalid_transition.',
        params: IdParams,
        response: { 200: Order, ...problemResponses(401, 404, 409) },
      },
    },
    async (request) => orders.changeStatus(currentUser(request), request.params.id, 'cancelled'),
  );

  app.get(
    '/admin/orders',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', ...tags],
        operationId: 'listAllOrders',
        summary: 'All orders, newest first',
        querystring: AdminOrdersQuery,
        response: { 200: PageOf(Order), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      const filter = { userId: request.query.user_id, status: request.query.status };
      return sendPage(request, reply, page, await orders.list(filter, page));
    },
  );

  app.patch(
    '/orders/:id/status',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', ...tags],
        operationId: 'updateOrderStatus',
        summary: 'Move an order along: pending → shipped → delivered, or pending → cancelled',
        description:
          'Stamps shipped_at, delivered_at or cancelled_at. Cancelling returns stock and units. Any other ' +
          'transition is 409 invalid_transition.',
        params: IdParams,
        body: UpdateStatusBody,
        response: { 200: Order, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => orders.changeStatus(currentUser(request), request.params.id, request.body.status),
  );
}
