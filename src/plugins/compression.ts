import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export type Coding = 'br' | 'gzip';

/** Below this a compressed body saves less than the headers and the CPU cost. */
export const MIN_COMPRESSED_BYTES = 1024;
const COMPRESSIBLE = /^(?:application\/(?:[\w.-]+\+)?json|text\/|application\/javascript|image\/svg\+xml)/i;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Compresses off the event loop (libuv's thread pool). Brotli quality 5: most of quality 11's gain
 * on JSON for a small fraction of its time, which matters on a cache miss.
 */
export function encode(body: string | Buffer, coding: Coding): Promise<Buffer> {
  if (coding === 'gzip') return gzip(body, { level: 6 });
  return brotli(body, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(body),
    },
  });
}

/** RFC 9110 §12.5.3: br when accepted, else gzip; a q of 0 refuses a coding, `*` stands for the rest. */
export function negotiate(acceptEncoding: string | undefined): Coding | undefined {
  if (!acceptEncoding) return undefined;
  const q: Record<string, number> = {};
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const weight = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q[name.trim()] = weight ? Number(weight.slice(2)) || 0 : 1;
  }
  const weightOf = (coding: Coding) =>
    q[coding] ?? (coding === 'gzip' ? q['x-gzip'] : undefined) ?? q['*'] ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br > 0 && br >= gz) return 'br';
  return gz > 0 ? 'gzip' : undefined;
}

export function varyOn(reply: FastifyReply, header: string): void {
  const vary = reply.getHeader('vary');
  if (!vary) reply.header('vary', header);
  else if (
    !String(vary)
      .toLowerCase()
      .split(/\s*,\s*/)
      .includes(header.toLowerCase())
  )
    reply.header('vary', `${String(vary)}, ${header}`);
}

/**
 * The coding this response goes out in, or undefined for identity. A response that would be
 * compressed for some client says `Vary: Accept-Encoding` to every client.
 */
export function selectCoding(
  request: FastifyRequest,
  reply: FastifyReply,
  bytes: number,
): Coding | undefined {
  if (bytes < MIN_COMPRESSED_BYTES || reply.statusCode === 204 || reply.statusCode === 304) return undefined;
  if (reply.hasHeader('content-encoding')) return undefined;
  if (!COMPRESSIBLE.test(String(reply.getHeader('content-type') ?? ''))) return undefined;
  if (/no-transform/i.test(String(reply.getHeader('cache-control') ?? ''))) return undefined;
  varyOn(reply, 'Accept-Encoding');
  return negotiate(request.headers['accept-encoding']);
}

/**
 * RFC 9110 §8.8.3: a strong ETag names one representation, so a compressed one gets its own tag
 * (the identity tag plus the coding). If-None-Match is compared with the tag of the representation
 * that would be sent, and a 304 carries that tag.
 */
export function etagForCoding(etag: string, coding: Coding | undefined): string {
  return coding ? etag.replace(/"$/, `-${coding}"`) : etag;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so W/"x" matches "x"; * matches anything. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * Compresses string and Buffer bodies of 1 KB and more (JSON, problems, the OpenAPI document)
 * as the last onSend step, after the ETag and the response cache have seen the identity bytes.
 * Streams (images, the /docs assets) are sent as they are. A response that already carries a
 * Content-Encoding (a response-cache hit) is left alone.
 */
export const compressionPlugin = fp(async (app: FastifyInstance) => {
  // Done-style: most responses are not compressed, and those pay no promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
    const coding = selectCoding(request, reply, Buffer.byteLength(payload));
    if (!coding) return done(null, payload);
    encode(payload, coding).then((encoded) => {
      reply.header('content-encoding', coding);
      reply.removeHeader('content-length');
      const etag = reply.getHeader('etag');
      if (typeof etag === 'string') reply.header('etag', etagForCoding(etag, coding));
      done(null, encoded);
    }, done);
  });
});
