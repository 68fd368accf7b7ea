import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageHeaders, pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, PageOf, problemResponses } from '../../lib/schemas.js';
import { sendSerialized, serializerOf } from '../../lib/serialized.js';
import { currentUser } from '../../plugins/auth.js';
import { CaptureBody, Refund, RefundBody } from '../payments/payments.schemas.js';
import { checkoutAnswer } from './checkout.service.js';
import {
  AdminOrdersQuery,
  CheckoutBody,
  CheckoutHeaders,
  CheckoutResponse,
  Order,
  OrderEvent,
  OrdersQuery,
  RefundHeaders,
  ShipmentBody,
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
          'An empty cart is 400. Then the payment provider (`payment.provider`, default the first of ' +
          'GET /api/payment-providers) is called outside that transaction: a decline is 402 payment_declined, ' +
          'an unreachable provider 502 payment_provider_error, and either way the stock, units and cart are as ' +
          'they were and no order shows. A payment that needs the customer (3-D Secure) leaves the order ' +
          'awaiting_payment with `payment.next_action`. With an Idempotency-Key, a retry (same body; cart ' +
          'unchanged or already emptied by the first request) answers with the first result (the order with ' +
          '200, or the same 402/502); the key bound to a different checkout is 409 idempotency_key_reused. ' +
          'Keys live 24 h.',
        headers: CheckoutHeaders,
        body: Type.Optional(CheckoutBody),
        response: {
          201: CheckoutResponse,
          200: { ...CheckoutResponse, description: 'A replay of the checkout this Idempotency-Key made' },
          ...problemResponses(400, 401, 402, 409, 502),
        },
      },
    },
    async (request, reply) => {
      const result = await checkout.checkout(
        currentUser(request).id,
        request.body ?? undefined,
        request.headers['idempotency-key'],
      );
      return reply.code(result.created ? 201 : 200).send(checkoutAnswer(result));
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
      const { status, payment_status } = request.query;
      const filter = { userId: currentUser(request).id, status, paymentStatus: payment_status };
      const { body, total } = await orders.renderedList(filter, page, serializerOf(reply));
      pageHeaders(request, reply, page, total);
      return sendSerialized(reply, body);
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
    async (request, reply) =>
      sendSerialized(
        reply,
        await orders.rendered(currentUser(request), request.params.id, serializerOf(reply)),
      ),
  );

  app.post(
    '/orders/:id/cancel',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'cancelOrder',
        summary: 'Cancel an order before it ships',
        description:
          'By its owner (or an admin) while awaiting_payment or pending; stock and serialized units return in ' +
          'the same transaction. Then an authorized payment is voided and a captured one refunded in full. ' +
          'Any other status is 409 invalid_transition.',
        params: IdParams,
        response: { 200: Order, ...problemResponses(401, 404, 409, 502) },
      },
    },
    async (request) => orders.cancel(currentUser(request), request.params.id),
  );

  app.get(
    '/orders/:id/events',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'listOrderEvents',
        summary: 'The order’s timeline, oldest first',
        description:
          'Who did what: `actor` is customer, admin, system (the expiry job, a failed checkout’s undo) or ' +
          'provider (a webhook).',
        params: IdParams,
        response: { 200: Type.Array(OrderEvent), ...problemResponses(401, 404) },
      },
    },
    async (request) => orders.events(currentUser(request), request.params.id),
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
      const { user_id, status, payment_status, from, to, q } = request.query;
      const filter = { userId: user_id, status, paymentStatus: payment_status, from, to, q };
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
        summary: 'Move an order along (the seed-000 form)',
        description:
          'The same moves as the dedicated routes: shipped (a shipment without tracking; an authorized ' +
          'payment is captured first, 402 payment_capture_failed if that fails), delivered, cancelled. ' +
          'awaiting_payment and pending are reached through payments only. Any other transition is 409 ' +
          'invalid_transition.',
        params: IdParams,
        body: UpdateStatusBody,
        response: { 200: Order, ...problemResponses(400, 401, 402, 403, 404, 409, 502) },
      },
    },
    async (request) => orders.changeStatus(currentUser(request), request.params.id, request.body.status),
  );

  app.post(
    '/orders/:id/shipments',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', ...tags],
        operationId: 'shipOrder',
        summary: 'Ship a pending order',
        description:
          'Records the shipment and makes the order shipped. A payment that is only authorized is captured ' +
          'first; a failed capture is 402 payment_capture_failed and nothing ships.',
        params: IdParams,
        body: ShipmentBody,
        response: { 201: Order, ...problemResponses(400, 401, 402, 403, 404, 409, 502) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await orders.ship(currentUser(request), request.params.id, request.body)),
  );

  app.post(
    '/orders/:id/deliver',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', ...tags],
        operationId: 'deliverOrder',
        summary: 'Mark a shipped order delivered',
        params: IdParams,
        response: { 200: Order, ...problemResponses(401, 403, 404, 409) },
      },
    },
    async (request) => orders.deliver(currentUser(request), request.params.id),
  );

  app.post(
    '/orders/:id/capture',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', ...tags],
        operationId: 'captureOrderPayment',
        summary: 'Capture the order’s payment',
        description:
          'An authorized payment (or a pay-later one: the money was received) is captured, in full by ' +
          'default. Once per payment; a failed capture is 402 payment_capture_failed.',
        params: IdParams,
        body: Type.Optional(CaptureBody),
        response: { 200: Order, ...problemResponses(400, 401, 402, 403, 404, 409, 502) },
      },
    },
    async (request) => orders.capture(currentUser(request), request.params.id, request.body?.amount),
  );

  app.post(
    '/orders/:id/refunds',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', ...tags],
        operationId: 'refundOrder',
        summary: 'Refund part or all of what was captured',
        description:
          'Refunds add up to at most what was captured, even when made at the same time; beyond is 409 ' +
          'refund_exceeds_captured and nothing changes. With an Idempotency-Key, a repeat answers 200 with ' +
          'the same refund.',
        params: IdParams,
        headers: RefundHeaders,
        body: RefundBody,
        response: {
          201: Refund,
          200: { ...Refund, description: 'A repeat with the same Idempotency-Key: the same refund' },
          ...problemResponses(400, 401, 403, 404, 409, 502),
        },
      },
    },
    async (request, reply) => {
      const { amount, reason } = request.body;
      const result = await orders.refund(currentUser(request), request.params.id, {
        amount,
        reason: reason ?? null,
        key: request.headers['idempotency-key'],
      });
      return reply.code(result.created ? 201 : 200).send(result.refund);
    },
  );
}
