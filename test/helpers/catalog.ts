import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { changeTrackerOf } from '../../src/plugins/catalog-cache/index.js';
import type { TestApp } from './app.js';

/** Catalog fixtures through the public API, as an admin would create them. */
export function catalog(t: TestApp) {
  const admin = async (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    t.request({ method, url, payload: payload as Record<string, unknown>, token: await t.adminToken() });

  return {
    admin,
    async product(fields: Record<string, unknown> = {}) {
      const res = await admin('POST', '/api/products', {
        name: 'Widget',
        price: 10,
        stock: 5,
        category_id: 1,
        ...fields,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    },
    async offer(fields: Record<string, unknown> = {}) {
      const now = t.clock.now().getTime();
      const res = await admin('POST', '/api/offers', {
        name: 'Sale',
        discount_percent: 15,
        start_time: new Date(now - 3_600_000).toISOString(),
        end_time: new Date(now + 3_600_000).toISOString(),
        ...fields,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    },
    async apply(offerId: number, productId: number) {
      const res = await admin('POST', `/api/offers/${offerId}/apply/${productId}`);
      assert.equal(res.statusCode, 200, res.body);
    },
    get: (url: string, headers: Record<string, string> = {}) => t.request({ method: 'GET', url, headers }),
  };
}

/**
 * Waits until the catalog version has stopped moving: PostgreSQL tells the app of its own catalog
 * writes asynchronously (NOTIFY), later still on a loaded machine. Before counting what a repeated
 * read runs, so that a late NOTIFY does not make it a first read again.
 */
export async function catalogSettled(t: TestApp): Promise<void> {
  const tracker = changeTrackerOf(t.db);
  let seen = tracker.version;
  for (let quiet = 0, i = 0; quiet < 3 && i < 100; i++) {
    await sleep(t.dialect === 'postgres' ? 40 : 0);
    quiet = tracker.version === seen ? quiet + 1 : 0;
    seen = tracker.version;
  }
}
