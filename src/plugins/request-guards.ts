import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, ValidationError } from '../lib/errors.js';

/** Where a NUL character sits in a parsed value, as a JSON pointer; undefined when there is none. */
function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '/' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}/${key}`;
    if (key.includes('\u0000')) return at;
    const found = nulPath(item, at);
    if (found) return found;
  }
  return undefined;
}

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

// RFC 9110 §15.5.16: content in a format "not supported by this method on the target resource";
// a route that takes no content supports none, whatever the Content-Type says.
const refuseBody: onRequestHookHandler = async (request) => {
  if (hasBody(request))
    throw new AppError(
      415,
      'unsupported_media_type',
      `${request.method} ${request.routeOptions.url} takes no request body`,
    );
};

/**
 * Requests the database must never see:
 * - a NUL character in any string (body, query, path, header): PostgreSQL text cannot hold one
 *   (it would be a 500) and SQLite would store a string other clients truncate, so both answer 400;
 * - a body on a route that declares none (no `schema.body`): 415 before anything is parsed, so a
 *   multipart or JSON body on `DELETE /api/products/{id}/image` is refused like a text/plain one.
 */
export const requestGuardsPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRoute', (route) => {
    if (route.schema?.body !== undefined) return;
    route.onRequest = [...[route.onRequest ?? []].flat(), refuseBody];
  });

  app.addHook('preValidation', async (request) => {
    const parts = [
      ['body', request.body],
      ['query', request.query],
      ['params', request.params],
      ['header', request.headers],
    ] as const;
    for (const [part, value] of parts) {
      const path = nulPath(value, '');
      if (path === undefined) continue;
      throw new ValidationError([
        { path: part === 'body' ? path : `${part}:${path}`, message: 'must not contain a NUL character' },
      ]);
    }
  });
});
