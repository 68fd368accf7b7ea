import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../db/errors.js';
import { AppError } from '../../lib/errors.js';
import { redisStatus } from '../../lib/redis.js';
import { problemResponses } from '../../lib/schemas.js';

const Status = Type.Object({ status: Type.String() });
const CheckStatus = Type.Union([Type.Literal('up'), Type.Literal('down')]);
const Readiness = Type.Object({
  status: Type.Literal('ready'),
  checks: Type.Object({ database: CheckStatus, redis: Type.Optional(CheckStatus) }),
});

/** Liveness and readiness, outside /api, for load balancers and orchestrators. */
export default async function opsRoutes(app: FastifyInstance) {
  app.get(
    '/health',
    {
      config: { rateLimit: false },
      schema: {
        operationId: 'getHealth',
        tags: ['operations'],
        summary: 'The process is up',
        response: { 200: Status },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        operationId: 'getReadiness',
        summary: 'The database answers, and Redis when configured',
        description:
          'Each backing service is checked at once; a 503 problem (with Retry-After) lists every check in `checks`.',
        response: { 200: Readiness, ...problemResponses(503) },
      },
    },
    async (request, reply) => {
      const { db, redis } = app.ctx;
      const [database, cache] = await Promise.all([
        sql`select 1`.execute(db).then(
          () => 'up' as const,
          (err: unknown) => {
            request.log.warn({ err }, 'readiness: database unreachable');
            return 'down' as const;
          },
        ),
        redis ? redisStatus(redis) : undefined,
      ]);
      const checks = { database, ...(cache ? { redis: cache } : {}) };
      const down = Object.entries(checks).filter(([, status]) => status === 'down');
      if (down.length === 0) return { status: 'ready', checks };
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      throw new AppError(
        503,
        'service_unavailable',
        `Not reachable: ${down.map(([name]) => name).join(', ')}`,
        {
          checks,
        },
      );
    },
  );
}
