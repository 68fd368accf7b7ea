import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import { sessionUrlOf } from '../config.js';
import { followExternalChanges } from '../db/change-tracker.js';
import { changeTrackerOf } from '../db/connect.js';
import { type Coding, encode, etagForCoding, selectCoding } from './compression.js';
import { ifNoneMatchHits } from './etag.js';

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

const MAX_BYTES = 32 * 1024 * 1024;
const MAX_ENTRY_BYTES = 512 * 1024;
const MAX_AGE_MS = 60_000;
const STORED_HEADERS = ['content-type', 'etag', 'cache-control', 'vary', 'x-total-count', 'link'];

/**
 * Anonymous public catalog GETs are answered from memory while nothing they depend on has changed:
 * entries carry the catalog version they were computed at (every catalog write, in this process or
 * — through PostgreSQL NOTIFY or SQLite's data_version — in another, advances it) and expire at the
 * next offer start or end, because prices change with time alone. So an admin's write shows on the
 * very next read, and the cache needs no invalidation code in any service. Entries keep their
 * compressed forms (br, gzip), so a hit costs no compression. `X-Cache: hit|miss` says which
 * happened on every cacheable request.
 */
export const responseCachePlugin = fp(async (app: FastifyInstance) => {
  const { db, clock, config } = app.ctx;
  const tracker = changeTrackerOf(db);
  const external = followExternalChanges(tracker, sessionUrlOf(config), (err) =>
    app.log.warn({ err }, 'catalog LISTEN session lost; cache bypassed until it is back'),
  );
  app.addHook('onClose', () => external.close());

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
    const known = entry.encoded[coding];
    if (known) return known;
    const encoded = await encode(entry.body, coding);
    if (entries.get(key) === entry && !entry.encoded[coding]) {
      entry.encoded[coding] = encoded;
      bytes += encoded.length;
      trim();
    }
    return encoded;
  };

  let boundary: { version: string; at: number } | undefined;
  // The next instant an offer starts or ends: until then no price shown can change by itself.
  const nextOfferBoundary = async (version: string, now: string): Promise<number> => {
    if (boundary && boundary.version === version && boundary.at > Date.parse(now)) return boundary.at;
    const { rows } = await sql<{ next: string | null }>`select min(t) as next from (
        select start_time as t from offers where start_time > ${now}
        union all select end_time as t from offers where end_time > ${now}
      ) boundaries`.execute(db);
    const at = rows[0]?.next ? Date.parse(rows[0].next) : Number.POSITIVE_INFINITY;
    boundary = { version, at };
    return at;
  };

  const cacheable = (request: FastifyRequest) =>
    request.method === 'GET' &&
    request.routeOptions.config.publicCache === true &&
    request.headers.authorization === undefined &&
    external.reliable;

  app.addHook('onRequest', async (request, reply) => {
    if (!cacheable(request)) return;
    external.refresh();
    request.catalogVersion = tracker.version;
    reply.header('x-cache', 'miss');
    const entry = entries.get(request.url);
    if (!entry) return;
    if (entry.version !== request.catalogVersion || clock.now().getTime() >= entry.expiresAt) {
      evict(request.url);
      return;
    }
    entries.delete(request.url); // most recently used last
    entries.set(request.url, entry);
    request.servedFromCache = true;
    reply.headers(entry.headers).header('x-cache', 'hit');
    const coding = selectCoding(request, reply, entry.body.length);
    const etag = etagForCoding(entry.headers.etag ?? '', coding);
    reply.header('etag', etag);
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
      reply.removeHeader('content-type');
      return reply.code(304).send();
    }
    if (!coding) return reply.send(entry.body);
    const body = await encodedBody(request.url, entry, coding);
    return reply.header('content-encoding', coding).send(body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const version = request.catalogVersion;
    if (!version || request.servedFromCache || reply.statusCode !== 200 || typeof payload !== 'string') {
      return payload;
    }
    if (payload.length > MAX_ENTRY_BYTES || version !== tracker.version) return payload;
    const now = clock.now();
    const expiresAt = Math.min(
      now.getTime() + MAX_AGE_MS,
      await nextOfferBoundary(version, now.toISOString()),
    );
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
    return payload;
  });
});
