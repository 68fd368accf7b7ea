import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageOf, sendPage } from '../../lib/pagination.js';
import { IdParams, PageOf, problemResponses } from '../../lib/schemas.js';
import {
  CreatedWebhookEndpoint,
  CreateWebhookBody,
  Delivery,
  PageQuery,
  RotatedSecret,
  UpdateWebhookBody,
  WebhookEndpoint,
} from './webhooks.schemas.js';

const SIGNING =
  'Each delivery is a POST of `{id, type, created_at, data}` with the Standard Webhooks headers ' +
  '`webhook-id` (the event id, the same on every retry), `webhook-timestamp` and `webhook-signature` ' +
  '(`v1,<base64 HMAC-SHA256 of id.timestamp.body>` keyed with the base64-decoded secret after `whsec_`). ' +
  'A 2xx answer is delivered; anything else (3xx included: redirects are not followed), no answer within ' +
  '10 s or a refused connection is retried with exponential backoff and jitter for about three days, then ' +
  'failed. A 410 Gone disables the endpoint.';

export default async function webhooksRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { webhooks } = app.services;
  const tags = ['admin', 'webhooks'];

  app.post(
    '/admin/webhooks',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'createWebhook',
        summary: 'Register a webhook endpoint',
        description: `The answer carries the signing secret, shown only here. ${SIGNING}`,
        body: CreateWebhookBody,
        response: { 201: CreatedWebhookEndpoint, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await webhooks.create(request.body)),
  );

  app.get(
    '/admin/webhooks',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'listWebhooks',
        summary: 'Webhook endpoints',
        querystring: PageQuery,
        response: { 200: PageOf(WebhookEndpoint), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await webhooks.list(page));
    },
  );

  app.get(
    '/admin/webhooks/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'getWebhook',
        summary: 'One webhook endpoint',
        params: IdParams,
        response: { 200: WebhookEndpoint, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => webhooks.get(request.params.id),
  );

  app.patch(
    '/admin/webhooks/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'updateWebhook',
        summary: 'Change an endpoint’s url, events, enabled or description',
        description:
          'Disabling pauses deliveries (they stay pending); enabling resumes them. The URL is checked as at creation.',
        params: IdParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookEndpoint, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => webhooks.update(request.params.id, request.body),
  );

  app.delete(
    '/admin/webhooks/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'deleteWebhook',
        summary: 'Delete an endpoint and its delivery log',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/admin/webhooks/:id/rotate-secret',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'rotateWebhookSecret',
        summary: 'Replace the signing secret',
        description:
          'Returns the new secret (shown only here). For 24 h both the new and the previous secret sign every ' +
          'delivery (two space-separated signatures), so receivers can switch without missing one.',
        params: IdParams,
        response: { 200: RotatedSecret, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => webhooks.rotateSecret(request.params.id),
  );

  app.get(
    '/admin/webhooks/:id/deliveries',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'listWebhookDeliveries',
        summary: 'An endpoint’s deliveries, newest first',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: PageOf(Delivery), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query);
      return sendPage(request, reply, page, await webhooks.deliveries(request.params.id, page));
    },
  );

  app.post(
    '/admin/webhook-deliveries/:id/retry',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        operationId: 'retryWebhookDelivery',
        summary: 'Send a delivery again now',
        description:
          'Pending, delivered or failed alike: it becomes due at once (a failed one gets this one attempt; ' +
          'a pending one keeps its retry schedule). 409 while the endpoint is disabled or an attempt is in flight.',
        params: IdParams,
        response: { 202: Delivery, ...problemResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.retry(request.params.id);
      app.webhookDispatcher.wake();
      return reply.code(202).send(delivery);
    },
  );
}
