import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Compilable, CompiledQuery, sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { productByIdQuery, productListQueries } from '../src/modules/products/products.repository.js';
import { createTestDatabase, type TestDatabase } from './helpers/app.js';
import { testDialects } from './helpers/env.js';

const PRODUCTS = 2000;

for (const dialect of testDialects()) {
  describe(`catalog query plans (${dialect})`, () => {
    let database: TestDatabase;
    let db: Db;
    const now = new Date().toISOString();

    before(async () => {
      database = await createTestDatabase(dialect);
      db = database.db;
      // Enough rows over the 20 categories that PostgreSQL's planner prefers an index when one fits.
      const rows = Array.from({ length: PRODUCTS }, (_, i) => ({
        name: `Product ${i}`,
        description: `Description ${i}`,
        price_cents: 100 + i,
        stock: i % 7,
        category_id: (i % 20) + 1,
        created_at: now,
        updated_at: now,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await db
          .insertInto('products')
          .values(rows.slice(i, i + 500))
          .execute();
      // Only our table: a bare ANALYZE would walk other test schemas, some being dropped meanwhile.
      await sql`analyze products`.execute(db);
    });
    after(() => database.drop());

    async function plan(query: Compilable): Promise<string> {
      const compiled = query.compile();
      const prefix = dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
      const result = await db.connection().execute(async (conn) => {
        // PostgreSQL's default random_page_cost (4) models spinning disks; on the SSDs Mercato runs
        // on it is tuned to ~1.1, which is what the planner is asked to cost here.
        if (dialect === 'postgres') await sql`set random_page_cost = 1.1`.execute(conn);
        try {
          return await conn.executeQuery<Record<string, unknown>>(
            CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]),
          );
        } finally {
          if (dialect === 'postgres') await sql`reset random_page_cost`.execute(conn);
        }
      });
      const text = result.rows.map((row) => String(row.detail ?? row['QUERY PLAN'])).join('\n');
      if (process.env.SHOW_PLANS) console.log(text);
      return text;
    }

    function assertNoFullScanOfProducts(text: string) {
      if (dialect === 'sqlite') {
        // "SCAN products" (with or without "USING INDEX") reads every row; "SEARCH" seeks.
        assert.doesNotMatch(text, /SCAN products\b/, text);
        assert.match(text, /SEARCH products USING/, text);
      } else {
        assert.doesNotMatch(text, /Seq Scan on products\b/, text);
        assert.match(
          text,
          /Index (Only )?Scan using products_\w+ on products|Bitmap Index Scan on products_/,
          text,
        );
      }
    }

    it('looks a product up by id through the primary key', async () => {
      const text = await plan(productByIdQuery(db, 42));
      assertNoFullScanOfProducts(text);
      if (dialect === 'sqlite') assert.match(text, /INTEGER PRIMARY KEY \(rowid=\?\)/, text);
      else assert.match(text, /products_pkey/, text);
    });

    it('lists a category (page and count) through products_category_idx', async () => {
      const { page, count } = productListQueries(db, dialect, { categoryId: 5, limit: 20, offset: 0 }, now);
      for (const query of [page, count]) {
        const text = await plan(query);
        assertNoFullScanOfProducts(text);
        assert.match(text, /products_category_idx/, text);
      }
    });

    it('sorts by name and newest through their indexes, and searches through the full-text index', async () => {
      for (const sort of ['name', 'newest'] as const) {
        const { page } = productListQueries(db, dialect, { sort, limit: 20, offset: 0 }, now);
        const text = await plan(page);
        assert.match(text, sort === 'name' ? /products_name_idx/ : /products_created_idx/, text);
        if (dialect === 'sqlite') assert.doesNotMatch(text, /USE TEMP B-TREE FOR ORDER BY/, text);
      }
      const { page } = productListQueries(db, dialect, { q: '1234', limit: 20, offset: 0 }, now);
      const text = await plan(page);
      if (dialect === 'sqlite') assert.match(text, /VIRTUAL TABLE INDEX \d+:M/, text);
      else assert.match(text, /products_search_idx/, text);
    });
  });
}
