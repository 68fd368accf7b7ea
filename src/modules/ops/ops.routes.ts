import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import { problemResponses } from '../../lib/schemas.js';

const Status = Type.Object({ status: Type.String() });

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
        summary: 'The database answers',
        response: { 200: Status, ...problemResponses(503) },
      },
    },
    async (request) => {
      try {
        await sql`select 1`.execute(app.ctx.db);
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new AppError(503, 'service_unavailable', 'The database is not reachable');
      }
    },
  );
}
