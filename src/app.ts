import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { type Config, sessionUrlOf } from './config.js';
import { type AppContext, type ContextOptions, createContext } from './context.js';
import { dataVersionReadStale } from './db/connect.js';
import { lazySerializerFactory, lazyValidator } from './lib/lazy-compile.js';
import { connectRedis } from './lib/redis.js';
import { requestLogger } from './lib/request-logger.js';
import { staticHeadersOf } from './lib/static-headers.js';
import { createValidator } from './lib/validation.js';
import authRoutes from './modules/auth/auth.routes.js';
import { SessionCache } from './modules/auth/session-cache.js';
import cartRoutes from './modules/cart/cart.routes.js';
import { CartAnswers } from './modules/cart/cart-answers.js';
import categoriesRoutes from './modules/categories/categories.routes.js';
import eventsRoutes from './modules/events/events.routes.js';
import insightsRoutes from './modules/insights/insights.routes.js';
import mcpRoutes from './modules/mcp/mcp.routes.js';
import mediaRoutes from './modules/media/media.routes.js';
import mediaServeRoutes from './modules/media/media.serve.js';
import offersRoutes from './modules/offers/offers.routes.js';
import opsRoutes from './modules/ops/ops.routes.js';
import ordersRoutes from './modules/orders/orders.routes.js';
import { startPaymentJobs } from './modules/payments/payments.jobs.js';
import paymentsRoutes from './modules/payments/payments.routes.js';
import productsRoutes from './modules/products/products.routes.js';
import reportsRoutes from './modules/reports/reports.routes.js';
import unitsRoutes from './modules/units/units.routes.js';
import usersRoutes from './modules/users/users.routes.js';
import { WebhookDispatcher } from './modules/webhooks/dispatcher.js';
import webhooksRoutes from './modules/webhooks/webhooks.routes.js';
import adminAppRoutes from './plugins/admin-app.js';
import { authPlugin } from './plugins/auth.js';
import { catalogCachePlugin, openCatalogFreshness } from './plugins/catalog-cache/index.js';
import { type Answer, KeptAnswers } from './plugins/catalog-cache/kept-answers.js';
import { compressionPlugin } from './plugins/compression.js';
import { openapiPlugin } from './plugins/openapi.js';
import { clientErrorProblem, frameworkProblem, problemPlugin } from './plugins/problem.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { requestGuardsPlugin } from './plugins/request-guards.js';
import { createServices, type Services } from './services.js';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    services: Services;
    webhookDispatcher: WebhookDispatcher;
  }
}

/** A database given in the options stays open when the app closes; one opened from config closes with it. */
export interface AppOptions extends ContextOptions {
  /** Where log lines go (default stdout); tests read them. */
  logStream?: NodeJS.WritableStream;
}

export const JSON_BODY_LIMIT = 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The whole application, built the same way for production and for tests. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: JSON_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: typeof config.trustProxy === 'object' ? [...config.trustProxy] : config.trustProxy,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Errors raised before any route or hook runs are problems too.
    frameworkErrors: frameworkProblem,
    clientErrorHandler: clientErrorProblem,
    childLoggerFactory: requestLogger,
    schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const redis = config.redisUrl
    ? await connectRedis(config.redisUrl, (err) =>
        app.log.warn({ err }, 'Redis unavailable; rate limits count per process until it is back'),
      )
    : undefined;

  // JSON only: Fastify's default text/plain parser would let a wrong content type through.
  app.removeContentTypeParser('text/plain');
  const json = createValidator('json');
  const text = createValidator('text');
  app.setValidatorCompiler(({ schema, httpPart }) =>
    lazyValidator(() => (httpPart === 'body' ? json : text).compile(schema)),
  );

  const ctx = createContext(config, {
    ...options,
    ...(redis ? { redis } : {}),
    onConnectionError: (err) => app.log.warn({ err }, 'database connection lost'),
  });
  const { db } = ctx;
  const sessions =
    config.sessionCacheSize > 0
      ? new SessionCache({
          maxEntries: config.sessionCacheSize,
          db,
          sessionUrl: sessionUrlOf(config),
          onLost: (err) =>
            app.log.warn({ err }, 'session LISTEN lost; session checks read the database until it is back'),
        })
      : undefined;
  // What every in-memory copy of catalog data follows: the stored responses, the products' JSON.
  const catalog = openCatalogFreshness(db, ctx.clock, sessionUrlOf(config), (err) =>
    app.log.warn({ err }, 'catalog LISTEN session lost; catalog caches bypassed until it is back'),
  );
  // Signed-in answers kept as sent (see KeptAnswers): carts, and a customer's orders.
  const kept = { maxBytes: config.answerCacheMb * 1024 * 1024, freshness: catalog, clock: ctx.clock };
  const cartAnswers =
    config.answerCacheMb > 0
      ? new CartAnswers({
          ...kept,
          sessionUrl: sessionUrlOf(config),
          onLost: (err) =>
            app.log.warn({ err }, 'cart LISTEN lost; carts are read from the database until it is back'),
        })
      : undefined;
  const orderAnswers = config.answerCacheMb > 0 ? new KeptAnswers<string, Answer>(kept) : undefined;
  app.decorate('ctx', ctx);
  const services = createServices(ctx, { sessions, catalog, cartAnswers, orderAnswers });
  app.decorate('services', services);

  // Every serving process delivers webhooks (unless WEBHOOK_DISPATCHER=false), off the request
  // path; it starts when the server listens, so tests driving the app by inject() start it by hand.
  const dispatcher = new WebhookDispatcher({ ...ctx, config: config.webhooks, log: app.log });
  app.decorate('webhookDispatcher', dispatcher);
  if (config.webhooks.dispatch) app.addHook('onListen', async () => dispatcher.start());
  // preClose: before the database closes under deliveries still settling.
  app.addHook('preClose', () => dispatcher.stop());

  app.addHook('onClose', async () => {
    redis?.disconnect();
    await sessions?.close();
    await cartAnswers?.close();
    await catalog.close();
    if (!options.db) await db.destroy();
  });

  // Expiry of unpaid orders and stored webhooks, at start (what expired while no process ran) and then periodically.
  const paymentJobs = startPaymentJobs(ctx, services.payments, app.log);
  app.addHook('onClose', () => paymentJobs.stop());

  await app.register(problemPlugin);
  await app.register(requestGuardsPlugin);
  // helmet's headers, computed once: its fifteen middlewares rebuild the same strings per request.
  const securityHeaders = staticHeadersOf(
    helmet({
      // The API serves JSON; /docs needs inline styles and scripts of the bundled reference page.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
        },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  // One synchronous hook for the headers every response carries (an async hook costs a promise per request).
  app.addHook('onRequest', (request, reply, done) => {
    dataVersionReadStale(db);
    reply.header('x-request-id', request.id);
    reply.headers(securityHeaders);
    done();
  });
  // Without CORS_ORIGINS no origin is allowed: no plugin, rather than its hook on every request
  // deciding to add nothing (a preflight is then a 405 problem, as it was).
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      exposedHeaders: ['X-Total-Count', 'Link', 'ETag', 'Retry-After', 'X-Request-Id', 'Location'],
    });
  }
  await app.register(rateLimitPlugin, { max: config.rateLimitMax, authMax: config.authRateLimitMax, redis });
  await app.register(authPlugin);
  await app.register(catalogCachePlugin, { freshness: catalog });
  // Last onSend step: the catalog cache's ETags and stored responses above see the identity bytes.
  await app.register(compressionPlugin);
  await app.register(openapiPlugin);

  await app.register(opsRoutes);
  await app.register(mcpRoutes);
  await app.register(mediaServeRoutes);
  await app.register(adminAppRoutes);
  await app.register(
    async (api) => {
      await api.register(authRoutes);
      await api.register(usersRoutes);
      await api.register(categoriesRoutes);
      await api.register(productsRoutes);
      await api.register(offersRoutes);
      await api.register(unitsRoutes);
      await api.register(mediaRoutes);
      await api.register(insightsRoutes);
      await api.register(cartRoutes);
      await api.register(ordersRoutes);
      await api.register(reportsRoutes);
      await api.register(paymentsRoutes);
      await api.register(eventsRoutes);
      await api.register(webhooksRoutes);
    },
    { prefix: '/api' },
  );
  return app;
}
