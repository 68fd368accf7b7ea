import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedDemo } from '../src/cli/seed-demo.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';

for (const dialect of testDialects()) {
  describe(`demo catalog seed (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    it('adds 1,000 products over the 20 categories, 10% on active offers, some serialized', async () => {
      const report = await seedDemo(t.db, t.clock.now());
      assert.deepEqual(report.productsCreated, 1000);
      assert.equal(report.offersCreated, 3);
      assert.ok(report.unitsCreated > 0);

      const categories = (await t.request({ method: 'GET', url: '/api/categories' })).json();
      assert.equal(categories.length, 20);
      for (const category of categories) assert.equal(category.product_count, 50, category.name);

      const active = await t.request({ method: 'GET', url: '/api/offers/active?limit=100' });
      assert.equal(active.headers['x-total-count'], '100');
      for (const p of active.json()) {
        assert.equal(p.is_on_offer, true);
        assert.ok(p.current_price < p.price || p.price < 0.05, `${p.name}: ${p.current_price} < ${p.price}`);
      }

      const serialized = await t.db
        .selectFrom('products')
        .select(['id', 'stock'])
        .where('serialized', '=', 1)
        .execute();
      assert.ok(serialized.length >= 20, `${serialized.length} serialized products`);
      for (const p of serialized) {
        const units = await t.db
          .selectFrom('units')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('product_id', '=', p.id)
          .where('status', '=', 'available')
          .executeTakeFirstOrThrow();
        assert.equal(p.stock, Number(units.n));
      }

      const search = (await t.request({ method: 'GET', url: '/api/products?q=headphones' })).json();
      assert.equal(search.length, 10);
    });

    it('is idempotent: a second run adds nothing', async () => {
      const before = await t.db
        .selectFrom('products')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const report = await seedDemo(t.db, t.clock.now());
      assert.deepEqual(report, { productsCreated: 0, offersCreated: 0, unitsCreated: 0 });
      const after = await t.db
        .selectFrom('products')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
      assert.equal(Number(after.n), 1000);
    });
  });
}
