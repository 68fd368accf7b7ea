import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { addEtags } from './etag.js';
import type { CatalogFreshness } from './freshness.js';
import { addResponseStore } from './response-store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A public catalog GET: strong ETag, If-None-Match → 304, brief CDN caching, and anonymous
     * reads answered from the response store while no catalog table has changed.
     */
    publicCache?: boolean;
  }
}

export { CATALOG_CHANNEL, CATALOG_TABLES, syncCatalogTriggers } from './catalog-tables.js';
export { changeTrackerOf, openTracked } from './change-tracker.js';
export { CatalogFreshness, openCatalogFreshness } from './freshness.js';

/**
 * The public catalog cache, all of it, behind the `publicCache` route flag:
 * - catalog-tables.ts: the one typed list of tables whose writes change what the catalog shows,
 *   and PostgreSQL's NOTIFY triggers on exactly those;
 * - tracked-driver.ts: this process's writes, counted by kind once committed;
 * - change-tracker.ts: the catalog version and the narrower ones (those counts, plus the LISTEN
 *   follower or SQLite's data_version for other processes' — while LISTEN is down the store is
 *   bypassed);
 * - freshness.ts: whether something computed at a catalog version may still be served (also what
 *   the products service's in-memory product copies follow);
 * - etag.ts: strong ETags, If-None-Match → 304 and Cache-Control on every public catalog GET;
 * - response-store.ts: the in-memory responses, with their br/gzip forms, keyed by URL and version.
 * Registered before compression, so both see the identity bytes.
 */
export const catalogCachePlugin = fp(
  async (app: FastifyInstance, options: { freshness: CatalogFreshness }) => {
    // The ETag hook runs first on send: the store keeps the tag with the body it stores.
    addEtags(app);
    addResponseStore(app, options.freshness);
  },
);
