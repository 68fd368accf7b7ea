import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { type Coding, encode, etagForCoding, ifNoneMatchHits, selectCoding } from '../compression.js';
import { cacheControlFor } from './etag.js';
import type { CatalogFreshness } from './freshness.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The catalog version when this request began: a response stored under it is never newer. */
    catalogVersion?: string;
    servedFromCache?: boolean;
  }
}

interface Entry {
  /** The identity bytes, as the route sent them (a Buffer: a hit skips encoding a string). */
  body: Buffer;
  /** Compressed once, on the first hit that asks for a coding, then served as they are. */
  encoded: Partial<Record<Coding, Buffer>>;
  headers: Record<string, string>;
  version: string;
  expiresAt: number;
}

const MAX_BYTES = 16 * 1024 * 1024;
const MAX_ENTRY_BYTES = 512 * 1024;
// Not Cache-Control: an anonymous answer may go to shared caches, a signed-in one may not.
const STORED_HEADERS = ['content-type', 'etag', 'vary', 'x-total-count', 'link'];

/**
 * Public catalog GETs of anonymous visitors and signed-in customers (never admins) are answered
 * from memory while nothing they depend on has changed:
 * entries carry the catalog version they were computed at (every catalog write, in this process or
 * — through PostgreSQL NOTIFY or SQLite's data_version — in another, advances it) and expire at the
 * next offer start or end, because prices change with time alone. So an admin's write shows on the
 * very next read, and the cache needs no invalidation code in any service. Entries keep their
 * compressed forms (br, gzip), so a hit costs no compression. `X-Cache: hit|miss` says which
 * happened on every cacheable request.
 */
export function addResponseStore(app: FastifyInstance, freshness: CatalogFreshness): void {
  const { clock } = app.ctx;
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const sizeOf = (entry: Entry) =>
    entry.body.length + (entry.encoded.br?.length ?? 0) + (entry.encoded.gzip?.length ?? 0);
  const evict = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    bytes -= sizeOf(entry);
    entries.delete(key);
  };
  const trim = () => {
    for (const key of entries.keys()) {
      if (bytes <= MAX_BYTES) break;
      evict(key);
    }
  };
  const encodedBody = async (key: string, entry: Entry, coding: Coding): Promise<Buffer> => {
    const encoded = await encode(entry.body, coding);
    if (entries.get(key) === entry && !entry.encoded[coding]) {
      entry.encoded[coding] = encoded;
      bytes += encoded.length;
      trim();
    }
    return encoded;
  };

  const cacheable = (request: FastifyRequest) =>
    request.method === 'GET' && request.routeOptions.config.publicCache === true;

  /** Answers from the store if it holds a current entry for this URL; else `done` and the route runs. */
  const serveStored = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    request.catalogVersion = freshness.current();
    if (request.catalogVersion === undefined) return done();
    reply.header('x-cache', 'miss');
    const entry = entries.get(request.url);
    if (!entry) return done();
    if (entry.version !== request.catalogVersion || clock.now().getTime() >= entry.expiresAt) {
      evict(request.url);
      return done();
    }
    entries.delete(request.url); // most recently used last
    entries.set(request.url, entry);
    request.servedFromCache = true;
    reply.headers(entry.headers).header('x-cache', 'hit').header('cache-control', cacheControlFor(request));
    const coding = selectCoding(request, reply, entry.body.length);
    const etag = etagForCoding(entry.headers.etag ?? '', coding);
    reply.header('etag', etag);
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
      reply.removeHeader('content-type');
      reply.code(304).send();
      return;
    }
    if (!coding) {
      reply.send(entry.body);
      return;
    }
    const known = entry.encoded[coding];
    if (known) {
      reply.header('content-encoding', coding).send(known);
      return;
    }
    encodedBody(request.url, entry, coding).then(
      (body) => reply.header('content-encoding', coding).send(body),
      done,
    );
  };

  // Done-style hooks: they run on every catalog request, and a hit with its coding stored sends
  // without a single promise. An anonymous read is looked up before anything else runs.
  app.addHook('onRequest', (request, reply, done) => {
    if (!cacheable(request) || request.headers.authorization !== undefined) return done();
    serveStored(request, reply, done);
  });
  // A signed-in read once the route's own onRequest hooks have checked its token (a bad one is
  // still a 401): a customer sees the catalog an anonymous visitor sees, so both share the
  // entries; an admin, who may see archived products, is never served from them nor stored.
  app.addHook('preValidation', (request, reply, done) => {
    if (!cacheable(request) || request.headers.authorization === undefined || request.user?.isAdmin)
      return done();
    serveStored(request, reply, done);
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const version = request.catalogVersion;
    if (
      !version ||
      request.servedFromCache ||
      reply.statusCode !== 200 ||
      typeof payload !== 'string' ||
      payload.length > MAX_ENTRY_BYTES ||
      !freshness.unchangedSince(version)
    ) {
      return done(null, payload);
    }
    freshness.validUntil().then((expiresAt) => {
      const headers: Record<string, string> = {};
      for (const name of STORED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      evict(request.url);
      const body = Buffer.from(payload);
      entries.set(request.url, { body, encoded: {}, headers, version, expiresAt });
      bytes += body.length;
      trim();
      done(null, payload);
    }, done);
  });
}
