import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Problem } from '../lib/schemas.js';
import { User } from '../modules/users/users.schemas.js';

/** OpenAPI 3.1 generated from the route schemas; /docs renders it. */
export const openapiPlugin = fp(async (app: FastifyInstance) => {
  app.addSchema(Problem);
  app.addSchema(User);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mercato API',
        version: '0.1.0',
        description:
          'Headless e-commerce: accounts, catalog, offers, serialized stock, images, cart, atomic checkout, orders. ' +
          'Money is a JSON number with at most two decimals, computed in integer cents. Timestamps are ISO 8601 UTC. ' +
          'Errors are RFC 9457 problem details with a stable `code`. Lists take `limit` (1-100) and `offset` and send ' +
          '`X-Total-Count` and `Link` headers.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      tags: [
        { name: 'auth' },
        { name: 'users' },
        { name: 'catalog' },
        { name: 'offers' },
        { name: 'images' },
        { name: 'cart' },
        { name: 'orders' },
        { name: 'admin' },
        { name: 'ai' },
        { name: 'operations' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
