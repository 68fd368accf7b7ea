import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../../lib/errors.js';
import { NotModified, problemResponses } from '../../lib/schemas.js';
import { ifNoneMatchHits } from '../../plugins/etag.js';
import { isStorageKey } from './storage.js';

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/**
 * Serves stored images under /media/<key>. Names are random and never reused, so a file never
 * changes: it may be cached forever, and its name is its ETag.
 */
export default async function mediaServeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = app.ctx;

  app.get(
    '/media/:dir/:file',
    {
      // A product page shows many images; immutable files cost little and belong behind a CDN.
      config: { rateLimit: false },
      schema: {
        tags: ['images'],
        operationId: 'getMediaFile',
        summary: 'An image file (original or thumbnail)',
        description: 'Immutable: `Cache-Control: public, max-age=31536000, immutable` and a strong ETag.',
        params: Type.Object({ dir: Type.String(), file: Type.String() }),
        response: {
          200: {
            description: 'The image bytes',
            headers: { ETag: { type: 'string' }, 'Cache-Control': { type: 'string' } },
            content: Object.fromEntries(
              Object.values(CONTENT_TYPES).map((type) => [
                type,
                { schema: { type: 'string', format: 'binary' } },
              ]),
            ),
          },
          304: NotModified,
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const key = `${request.params.dir}/${request.params.file}`;
      const file = isStorageKey(key) ? await storage.open(key) : null;
      if (!file) throw notFound('Image');
      const etag = `"${key.replace('/', '-')}"`;
      reply
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', etag);
      if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
        file.stream.destroy();
        return reply.code(304).send(null);
      }
      return reply
        .type(CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1)]!)
        .header('content-length', file.size)
        .send(file.stream);
    },
  );
}
