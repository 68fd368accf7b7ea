import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';
import { IdParams, problemResponses } from '../../lib/schemas.js';
import { currentUser } from '../../plugins/auth.js';
import { Order } from '../orders/orders.schemas.js';
import { ProviderInfo, TestWebhookEvent, WebhookHeaders, WebhookReceipt } from './payments.schemas.js';

export default async function paymentsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { payments, orders } = app.services;
  const tags = ['payments'];

  app.get(
    '/payment-providers',
    {
      schema: {
        tags,
        operationId: 'listPaymentProviders',
        summary: 'The enabled payment providers and what each needs',
        description:
          'A checkout sends `payment: {provider, ...fields}`; one that names none uses the default.',
        response: { 200: Type.Array(ProviderInfo) },
      },
    },
    async () => payments.describe(),
  );

  app.post(
    '/payments/:id/confirm',
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        operationId: 'confirmPayment',
        summary: 'Confirm a payment that required your action (3-D Secure)',
        description:
          'The `next_action.url` of a payment: asks the provider how the action went. Authorized → the order ' +
          'becomes pending; failed → it is cancelled and its stock returns. If the provider’s webhook came ' +
          'first, this changes nothing and answers the order as it is.',
        params: IdParams,
        response: { 200: Order, ...problemResponses(401, 404, 409, 502) },
      },
    },
    async (request) => orders.confirmPayment(currentUser(request), request.params.id),
  );

  // Webhooks are verified over the exact bytes received, so this route alone reads its body raw:
  // the body schema documents the test provider's events; the provider checks the bytes.
  await app.register(async (raw) => {
    raw.removeContentTypeParser('application/json');
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const parentCompiler = raw.validatorCompiler as FastifySchemaCompiler<unknown>;
    const rawBodyValidator: FastifySchemaCompiler<unknown> = (route) =>
      route.httpPart === 'body' ? () => true : parentCompiler(route);
    raw.withTypeProvider<TypeBoxTypeProvider>().post(
      '/payments/webhooks/:provider',
      {
        validatorCompiler: rawBodyValidator,
        schema: {
          tags,
          operationId: 'receivePaymentWebhook',
          summary: 'Inbound webhooks of a payment provider',
          description:
            'Raw body, verified with the provider’s signature (test: Standard Webhooks headers signed with ' +
            'PAYMENT_TEST_WEBHOOK_SECRET; a bad signature or a timestamp more than 5 min off is 401 and ' +
            'changes nothing). Stored before it is acted on and deduplicated by the provider’s event id; ' +
            'an event for a payment not recorded yet is kept and applied when it appears.',
          params: Type.Object({ provider: Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 40 }) }),
          headers: WebhookHeaders,
          body: TestWebhookEvent,
          response: { 200: WebhookReceipt, ...problemResponses(400, 401, 404) },
        },
      },
      async (request) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const headers = request.headers as Record<string, string | undefined>;
        return payments.receiveWebhook(request.params.provider, body, headers);
      },
    );
  });
}
