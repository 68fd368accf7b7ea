import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataVersionOf, dataVersionReadStale } from '../src/db/connect.js';
import { buildTestApp } from './helpers/app.js';
import { writeBehindTheAppsBack } from './helpers/outside-write.js';

/**
 * SQLite's PRAGMA data_version (how the caches of a process hear other processes' commits) is read
 * once per request: later checks of the same request share that reading, and a new request reads again.
 */
describe('data_version readings (sqlite)', () => {
  it('last until the next request starts, or the end of the turn', async () => {
    const t = await buildTestApp('sqlite', { file: true });
    try {
      const read = dataVersionOf(t.db);
      assert.ok(read);
      dataVersionReadStale(t.db);
      const first = read();
      await writeBehindTheAppsBack(t, 'create table outside_one (x integer)');
      assert.equal(read(), first, 'the same request keeps its reading');
      dataVersionReadStale(t.db);
      const second = read();
      assert.notEqual(second, first, 'a new request sees the other connection’s commit');

      await writeBehindTheAppsBack(t, 'create table outside_two (x integer)');
      await new Promise((resolve) => setImmediate(resolve));
      assert.notEqual(read(), second, 'outside requests, a reading lasts one turn of the event loop');
    } finally {
      await t.close();
    }
  });
});
