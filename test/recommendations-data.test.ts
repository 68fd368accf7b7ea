import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fillRecommendationsData } from '../bench/fixtures/recommendations-data.js';
import { createTestDatabase, type TestDatabase } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { insertProduct } from './helpers/order-history.js';

// The bench's data generator, small: it must write exactly what it reports and leave the
// database usable (PostgreSQL sequences moved past its explicit ids).
for (const dialect of testDialects()) {
  describe(`recommendations bench data (${dialect})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(() => database.drop());

    it('writes the order lines it reports, distinct products per order, and ids stay usable', async () => {
      const { db } = database;
      const data = await fillRecommendationsData(db, { orderLines: 3_000, products: 200 });
      assert.equal(data.orderLines, 3_000);
      assert.equal(data.productIds.length, 200);
      const count = async (table: 'orders' | 'order_items' | 'products') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      assert.equal(await count('order_items'), 3_000);
      assert.equal(await count('orders'), data.orders);
      assert.equal(await count('products'), 200);
      const repeated = await db
        .selectFrom('order_items')
        .select(['order_id', 'product_id'])
        .groupBy(['order_id', 'product_id'])
        .having((eb) => eb.fn.countAll(), '>', 1)
        .execute();
      assert.deepEqual(repeated, []);
      const next = await insertProduct(db, { name: 'after the bench data', category_id: 1 });
      assert.ok(next > Math.max(...data.productIds));
    });
  });
}
