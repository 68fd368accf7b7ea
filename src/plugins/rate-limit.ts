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
  interface FastifyContextConfig {
    /** false: the general per-IP limit does not apply (health checks, image files). */
    rateLimit?: false;
  }
}

interface Options {
  max: number;
  authMax: number;
  redis: Redis | undefined;
}

function limiter(redis: Redis | undefined, keyPrefix: string, points: number): RateLimiterAbstract {
  const options = { keyPrefix, points, duration: 60 };
  if (!redis) return new RateLimiterMemory(options);
  // While Redis is unreachable each process counts on its own, at once: the client queues nothing
  // offline and retries nothing (see lib/redis.ts), and a client known to be down is not even asked.
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

function loginName(request: FastifyRequest): string {
  const body = request.body as { username?: unknown; email?: unknown } | undefined;
  const name = body?.username ?? body?.email;
  return typeof name === 'string' ? name.toLowerCase() : '';
}

/**
 * A general per-IP limit on every route, and brute-force limits on login/register (one request
 * counted against two keys). All count in Redis when REDIS_URL is set, so every app process shares
 * one budget, and fall back to per-process counters while Redis is away.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance, options: Options) => {
  const consume = async (
    limit: RateLimiterAbstract,
    key: string,
    reply: FastifyReply,
    max: number,
    what: string,
  ) => {
    try {
      await limit.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      reply.header('retry-after', String(retryAfter));
      throw new AppError(
        429,
        'rate_limited',
        `Too many ${what}; at most ${max} per minute. Retry in ${retryAfter} s`,
      );
    }
  };

  const general = limiter(options.redis, 'mercato:rl', options.max);
  // An app-level hook runs before every route's own onRequest hooks (auth guards included), so
  // requests refused by a guard still count.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.rateLimit === false) return;
    await consume(general, request.ip, reply, options.max, 'requests');
  });

  const perIp = limiter(options.redis, 'mercato:auth-ip', options.authMax);
  const perUsername = limiter(options.redis, 'mercato:auth-user', options.authMax);
  app.decorate('authRateLimit', {
    register: async (request: FastifyRequest, reply: FastifyReply) =>
      consume(perIp, request.ip, reply, options.authMax, 'attempts'),
    login: async (request: FastifyRequest, reply: FastifyReply) => {
      await consume(perIp, request.ip, reply, options.authMax, 'attempts');
      await consume(perUsername, loginName(request), reply, options.authMax, 'attempts');
    },
  });
});
