import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { AppError } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandlers for login and register: AUTH_RATE_LIMIT_MAX per minute per IP, and per username on login. */
    authRateLimit: { register: preHandlerAsyncHookHandler; login: preHandlerAsyncHookHandler };
  }
}

interface Options {
  max: number;
  authMax: number;
  redis: Redis | undefined;
}

function tooMany(reply: FastifyReply, retryAfterSeconds: number, max: number): AppError {
  reply.header('retry-after', String(Math.max(1, retryAfterSeconds)));
  return new AppError(
    429,
    'rate_limited',
    `Too many attempts; at most ${max} per minute. Retry in ${retryAfterSeconds} s`,
  );
}

function limiter(redis: Redis | undefined, keyPrefix: string, points: number): RateLimiterAbstract {
  const options = { keyPrefix, points, duration: 60 };
  if (!redis) return new RateLimiterMemory(options);
  // If Redis is briefly unreachable, each process falls back to counting on its own.
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

function loginName(request: FastifyRequest): string {
  const body = request.body as { username?: unknown; email?: unknown } | undefined;
  const name = body?.username ?? body?.email;
  return typeof name === 'string' ? name.toLowerCase() : '';
}

/**
 * A general per-IP limit on every route (@fastify/rate-limit), and brute-force limits on
 * login/register (rate-limiter-flexible, which can count one request against two keys). Both count
 * in Redis when REDIS_URL is set, so every app process shares one budget.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance, options: Options) => {
  await app.register(rateLimit, {
    global: false,
    nameSpace: 'mercato:rl:',
    skipOnError: true,
    ...(options.redis ? { redis: options.redis } : {}),
    errorResponseBuilder: (_request, context) =>
      new AppError(
        429,
        'rate_limited',
        `Too many requests; at most ${context.max} per minute. Retry in ${context.after}`,
      ),
  });
  const general = app.rateLimit({ max: options.max, timeWindow: '1 minute' });
  // An app-level hook runs before every route's own onRequest hooks (auth guards included), so
  // requests refused by a guard still count.
  // Routes opt out with `config: { rateLimit: false }` (health checks).
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.rateLimit === false) return;
    await general.call(app, request, reply);
  });

  const perIp = limiter(options.redis, 'mercato:auth-ip', options.authMax);
  const perUsername = limiter(options.redis, 'mercato:auth-user', options.authMax);
  const consume = async (limit: RateLimiterAbstract, key: string, reply: FastifyReply) => {
    try {
      await limit.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw tooMany(reply, Math.ceil(rejection.msBeforeNext / 1000), options.authMax);
      }
      throw rejection;
    }
  };
  app.decorate('authRateLimit', {
    register: async (request: FastifyRequest, reply: FastifyReply) => consume(perIp, request.ip, reply),
    login: async (request: FastifyRequest, reply: FastifyReply) => {
      await consume(perIp, request.ip, reply);
      await consume(perUsername, loginName(request), reply);
    },
  });
});
