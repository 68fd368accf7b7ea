import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';
import { refuseNul } from '../lib/nul.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The handler refuses NUL characters in its body itself, where the refusal belongs: POST /mcp
     * answers a NUL in a tool's arguments as that tool call's error (validation_failed), not as
     * an HTTP 400 for the whole JSON-RPC message.
     */
    refusesNulInBody?: boolean;
  }
}

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

// RFC 9110 §15.5.16: content in a format "not supported by this method on the target resource";
// a route that takes no content supports none, whatever the Content-Type says.
// Synchronous (done-style) hooks: they run on every request, and an async hook costs a promise.
const refuseBody: onRequestHookHandler = (request, _reply, done) => {
  if (!hasBody(request)) return done();
  done(
    new AppError(
      415,
      'unsupported_media_type',
      `${request.method} ${request.routeOptions.url} takes no request body`,
    ),
  );
};

/**
 * Requests the database must never see:
 * - a NUL character in any string (body, query, path, header): 400 (see refuseNul), but for the
 *   body of a route that refuses it itself (`refusesNulInBody`);
 * - a body on a route that declares none (no `schema.body`): 415 before anything is parsed, so a
 *   multipart or JSON body on `DELETE /api/products/{id}/image` is refused like a text/plain one.
 */
export const requestGuardsPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRoute', (route) => {
    if (route.schema?.body !== undefined) return;
    route.onRequest = [...[route.onRequest ?? []].flat(), refuseBody];
  });

  app.addHook('preValidation', (request, _reply, done) => {
    try {
      if (!request.routeOptions.config.refusesNulInBody) refuseNul(request.body);
      refuseNul(request.query, 'query:');
      refuseNul(request.params, 'params:');
      refuseNul(request.headers, 'header:');
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
});
