import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { etagForCoding, ifNoneMatchHits, selectCoding, varyOn } from '../compression.js';

/**
 * Anonymous readers may be served by a shared cache for a few seconds; browsers always revalidate
 * (max-age=0), which costs a 304 with no body when nothing changed. The app itself caches nothing,
 * so an admin's write is in the very next response it sends.
 */
const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=30';
// An authenticated response (an admin sees archived products) must never land in a shared cache.
const PRIVATE_CACHE_CONTROL = 'private, no-cache';

/** Cache-Control of a public catalog answer to this request, computed or from the response store. */
export const cacheControlFor = (request: FastifyRequest): string =>
  request.headers.authorization ? PRIVATE_CACHE_CONTROL : PUBLIC_CACHE_CONTROL;

/**
 * Strong ETag over the exact bytes sent, plus the pagination headers that travel with them (a new
 * product on page 2 changes X-Total-Count and Link of page 1 without changing its body).
 */
function etagOf(body: string | Buffer, reply: FastifyReply): string {
  const hash = createHash('sha256').update(body);
  for (const name of ['x-total-count', 'link']) {
    const value = reply.getHeader(name);
    if (value !== undefined) hash.update(`\n${name}: ${String(value)}`);
  }
  return `"${hash.digest('base64url').slice(0, 27)}"`;
}

/** Tags every public catalog GET that the response store did not answer, and answers If-None-Match. */
export function addEtags(app: FastifyInstance): void {
  // Synchronous: it runs on every response, and an async hook costs a promise.
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    done(null, tagged(request, reply, payload));
  });
}

function tagged(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  // A response cache hit already carries its stored ETag and answered If-None-Match itself.
  if (!request.routeOptions.config.publicCache || request.servedFromCache) return payload;
  if (request.method !== 'GET' && request.method !== 'HEAD') return payload;
  if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return payload;
  const etag = etagOf(payload, reply);
  reply.header('etag', etag); // the identity tag: compression adds its coding when it encodes
  reply.header('cache-control', cacheControlFor(request));
  varyOn(reply, 'Authorization');
  const sent = etagForCoding(etag, selectCoding(request, reply, Buffer.byteLength(payload)));
  if (ifNoneMatchHits(request.headers['if-none-match'], sent)) {
    reply.code(304);
    reply.header('etag', sent);
    reply.removeHeader('content-length');
    reply.removeHeader('content-type');
    return '';
  }
  return payload;
}
