import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { AppError } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    authRateLimit: {
      /** Route config for login and register: AUTH_RATE_LIMIT_MAX per IP per minute. */
      perIp: RateLimitOptions;
      /** A second limit on login keyed by the username tried, against distributed guessing. */
      perUsername: preHandlerAsyncHookHandler;
    };
  }
}

function loginName(request: FastifyRequest): string {
  const body = request.body as { username?: unknown; email?: unknown } | undefined;
  const name = body?.username ?? body?.email;
  return typeof name === 'string' ? name.toLowerCase() : '';
}

/**
 * Rate limits live in Redis when REDIS_URL is set, so every app process counts against the same
 * budget; otherwise in process memory (one process).
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: { max: number; authMax: number; redis: Redis | undefined }) => {
    const errorResponseBuilder = (_request: FastifyRequest, context: { after: string; max: number }) =>
      new AppError(
        429,
        'rate_limited',
        `Too many requests; limit ${context.max} per minute, retry in ${context.after}`,
      );

    await app.register(rateLimit, {
      global: true,
      max: options.max,
      timeWindow: '1 minute',
      nameSpace: 'mercato:rl:',
      skipOnError: true, // if Redis is briefly unreachable, serve rather than fail every request
      ...(options.redis ? { redis: options.redis } : {}),
      errorResponseBuilder,
    });

    const perIp: RateLimitOptions = {
      max: options.authMax,
      timeWindow: '1 minute',
      keyGenerator: (request) => `auth-ip:${request.ip}`,
    };
    const perUsernameHook = app.rateLimit({
      max: options.authMax,
      timeWindow: '1 minute',
      keyGenerator: (request) => `auth-user:${loginName(request)}`,
    });
    app.decorate('authRateLimit', { perIp, perUsername: perUsernameHook as preHandlerAsyncHookHandler });
  },
);
