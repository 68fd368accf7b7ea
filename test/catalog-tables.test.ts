import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CATALOG_TABLES, syncCatalogTriggers } from '../src/db/catalog-tables.js';
import { changeTrackerOf } from '../src/db/connect.js';
import { createTestDatabase, type TestDatabase } from './helpers/app.js';
import { testDialects } from './helpers/env.js';

for (const dialect of testDialects()) {
  describe(`catalog tables drive the cache (${dialect})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(() => database.drop());

    it('a write to a catalog table advances the catalog version, one elsewhere does not', async () => {
      const tracker = changeTrackerOf(database.db);
      const before = tracker.version;
      await database.db.updateTable('users').set({ first_name: 'Ada' }).where('id', '=', 1).execute();
      assert.equal(tracker.version, before);
      await database.db.updateTable('categories').set({ name: 'Home' }).where('name', '=', 'Home').execute();
      assert.notEqual(tracker.version, before);
    });

    if (dialect === 'postgres') {
      it('NOTIFY triggers sit on exactly the catalog tables, whatever was there before', async () => {
        const triggered = async () =>
          (
            await sql<{ table: string }>`select c.relname as "table" from pg_trigger t
              join pg_class c on c.oid = t.tgrelid
              where c.relnamespace = current_schema()::regnamespace and t.tgname like '%_notify_catalog'
              order by 1`.execute(database.db)
          ).rows.map((row) => row.table);
        assert.deepEqual(await triggered(), [...CATALOG_TABLES].sort());
        // A stale trigger on a table that no longer shapes the catalog, and a missing one.
        await sql`create trigger users_notify_catalog after update on users
          for each statement execute function mercato_notify_catalog()`.execute(database.db);
        await sql`drop trigger products_notify_catalog on products`.execute(database.db);
        await syncCatalogTriggers(database.db);
        assert.deepEqual(await triggered(), [...CATALOG_TABLES].sort());
      });
    }
  });
}
