import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { titleFor } from '../lib/errors.js';
import { NotModified, Problem, ProblemRef } from '../lib/schemas.js';
import { User } from '../modules/users/users.schemas.js';

// The parts of the document this plugin reads and writes.
type Security = Record<string, string[]>[];
type Headers = Record<string, { description: string; schema: object }>;
interface SharedResponse {
  description: string;
  headers?: Headers;
  content: object;
}
interface Document {
  paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components?: object;
}

const BEARER: Security = [{ bearerAuth: [] }];
/** Signing in is optional: the answer depends on who asks (an admin also sees archived products). */
const OPTIONAL_BEARER: Security = [{}, { bearerAuth: [] }];

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 1 },
  },
};
const ALLOW = { Allow: { description: 'The methods this path answers', schema: { type: 'string' } } };
const CHALLENGE = {
  'WWW-Authenticate': {
    description: 'Bearer realm="mercato", with error="invalid_token" when a token was refused',
    schema: { type: 'string' },
  },
};
/** Headers that travel with a shared error response. */
const PROBLEM_HEADERS: Record<number, Headers> = {
  401: CHALLENGE,
  405: ALLOW,
  429: RETRY_AFTER,
  503: RETRY_AFTER,
};

/** "Not Found" → NotFound: the name of a status's shared response in components. */
export const problemResponseName = (status: number) => titleFor(status).replaceAll(/[^A-Za-z]/g, '');

function problemResponse(status: number): SharedResponse {
  return {
    description: `${titleFor(status)}: an RFC 9457 problem; its \`code\` says why`,
    ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] } : {}),
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

const ETAG_HEADERS = {
  ETag: { type: 'string', description: 'Strong validator of this representation; send it as If-None-Match' },
  'Cache-Control': { type: 'string', description: 'public, max-age=0, s-maxage=30 when anonymous' },
};

/**
 * Who may call a route, read from the guard it runs (plugins/auth.ts) so the document cannot
 * drift from behaviour; a route that authenticates by itself (MCP) states its own `security`.
 */
function securityOf(app: FastifyInstance, route: RouteOptions, declared: unknown): Security {
  if (declared) return declared as Security;
  const hooks = [route.onRequest ?? []].flat();
  if (hooks.includes(app.requireUser) || hooks.includes(app.requireAdmin)) return BEARER;
  if (hooks.includes(app.optionalUser)) return OPTIONAL_BEARER;
  return [];
}

/**
 * Adds what a route's plugins do to its responses: the general rate limit (429) on every route
 * that has it, the ETag and 304 of public catalog GETs (plugins/etag.ts).
 */
function routeResponses(route: RouteOptions, declared: Record<string, unknown>): Record<string, unknown> {
  const responses: Record<string, unknown> = { ...declared };
  const config = (route.config ?? {}) as { rateLimit?: unknown; publicCache?: boolean };
  if (config.publicCache && declared[200]) {
    const ok = declared[200] as { headers?: object };
    responses[200] = { ...ok, headers: { ...ok.headers, ...ETAG_HEADERS } };
    responses[304] = NotModified;
  }
  if (config.rateLimit !== false) responses[429] = ProblemRef;
  return responses;
}

/**
 * Every error response becomes a $ref to one shared response per status (problem+json, with its
 * headers), defined once in components.responses.
 */
function shareProblemResponses(document: Document): Document {
  const shared: Record<string, SharedResponse> = {};
  for (const path of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(path)) {
      const responses = operation.responses ?? {};
      for (const status of Object.keys(responses)) {
        if (Number(status) < 400) continue;
        const name = problemResponseName(Number(status));
        shared[name] ??= problemResponse(Number(status));
        responses[status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
  document.components = { ...document.components, responses: shared };
  return document;
}

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
        license: { name: 'MIT', identifier: 'MIT' },
        description:
          'Headless e-commerce: accounts, catalog, offers, serialized stock, images, cart, atomic checkout, orders. ' +
          'Money is a JSON number with at most two decimals, computed in integer cents. Timestamps are ISO 8601 UTC. ' +
          'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`. Lists take ' +
          '`limit` (1-100) and `offset` and send `X-Total-Count` and `Link` headers. Public catalog GETs send a ' +
          'strong `ETag` and answer `If-None-Match` with 304. Every route except health checks and media files ' +
          'is rate-limited per client (429 with `Retry-After`).',
      },
      servers: [{ url: '/', description: 'This server' }],
      security: BEARER,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The `access_token` of POST /api/login',
          },
          refreshToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The `refresh_token` of POST /api/login (or send it in the body as `refresh_token`)',
          },
        },
      },
      tags: [
        { name: 'auth', description: 'Accounts, log-in and token refresh' },
        { name: 'users', description: 'Your profile, and user administration' },
        { name: 'catalog', description: 'Categories, products and serialized units' },
        { name: 'offers', description: 'Time-limited discounts' },
        { name: 'images', description: 'Product and profile images' },
        { name: 'cart', description: 'Your cart at current prices' },
        { name: 'orders', description: 'Checkout and orders' },
        { name: 'admin', description: 'Store management' },
        { name: 'ai', description: 'Recommendations, inventory insights and the MCP server' },
        { name: 'operations', description: 'Health checks for load balancers' },
      ],
    },
    transform: ({ schema, url, route }) => {
      if (!schema || schema.hide) return { schema, url };
      return {
        url,
        schema: {
          ...schema,
          security: securityOf(app, route, schema.security),
          response: routeResponses(route, (schema.response ?? {}) as Record<string, unknown>),
        },
      };
    },
    transformObject: (documentObject) =>
      shareProblemResponses((documentObject as { openapiObject: Document }).openapiObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true },
    theme: { title: 'Mercato API' },
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
