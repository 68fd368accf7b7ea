import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BEST_SELLERS_TTL_MS } from '../src/modules/insights/best-sellers.js';
import { boughtTogether } from '../src/modules/insights/insights.repository.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { insertCategory, insertOrder, insertProduct } from './helpers/order-history.js';
import { setStock } from './helpers/variants.js';

interface Recommended {
  id: number;
  name: string;
  current_price: number;
  recommendation: { reason: string; score: number };
}

for (const dialect of testDialects()) {
  describe(`recommendations (${dialect})`, () => {
    let t: TestApp;
    const id: Record<string, number> = {};

    before(async () => {
      t = await buildTestApp(dialect);
      const x = await insertCategory(t.db, 'Recommendations X');
      const y = await insertCategory(t.db, 'Recommendations Y');
      // Inserted in this order, so ids rise P < Q < R < ... < W: ties are broken by id.
      for (const name of ['P', 'Q', 'R', 'S', 'T', 'U', 'V']) {
        id[name] = await insertProduct(t.db, { name, category_id: x });
      }
      id.Archived = await insertProduct(t.db, { name: 'Archived', category_id: x, archived: true });
      id.Out = await insertProduct(t.db, { name: 'Out', category_id: x, stock: 0 });
      id.W = await insertProduct(t.db, { name: 'W', category_id: y });

      const { P, Q, R, S, T, U, W, Archived, Out } = id as Record<string, number>;
      await insertOrder(t.db, [P!, Q!, R!], { status: 'delivered' });
      await insertOrder(t.db, [P!, Q!], { status: 'shipped' });
      await insertOrder(t.db, [P!, R!, W!]);
      await insertOrder(t.db, [P!, S!]);
      await insertOrder(t.db, [P!, Archived!, Out!]);
      // Cancelled orders count for nothing: with them S would pair with P most often.
      for (let i = 0; i < 3; i++) await insertOrder(t.db, [P!, S!], { status: 'cancelled' });
      await insertOrder(t.db, [[T!, 5]]);
      await insertOrder(t.db, [[U!, 2], Q!]);
      await insertOrder(t.db, [[U!, 10]], { status: 'cancelled' });
    });
    after(() => t.close());

    const recommend = (name: string, query = '') =>
      t.request({ method: 'GET', url: `/api/products/${id[name]}/recommendations${query}` });
    const names = (body: Recommended[]) => body.map((p) => Object.keys(id).find((name) => id[name] === p.id));

    it('ranks products bought together by how many orders pair them, ties by id', async () => {
      const res = await recommend('P', '?limit=4');
      assert.equal(res.statusCode, 200);
      const body: Recommended[] = res.json();
      assert.deepEqual(names(body), ['Q', 'R', 'S', 'W']);
      assert.deepEqual(
        body.map((p) => p.recommendation),
        [
          { reason: 'bought_together', score: 2 },
          { reason: 'bought_together', score: 2 },
          { reason: 'bought_together', score: 1 },
          { reason: 'bought_together', score: 1 },
        ],
      );
      // Whole products, priced like the catalog.
      assert.equal(body[0]!.name, 'Q');
      assert.equal(body[0]!.current_price, 10);
    });

    it("tops up with the category's best sellers by units sold, never-sold last", async () => {
      const body: Recommended[] = (await recommend('P')).json();
      assert.deepEqual(names(body), ['Q', 'R', 'S', 'W', 'T', 'U', 'V']);
      assert.deepEqual(
        body.slice(4).map((p) => p.recommendation),
        [
          { reason: 'best_seller', score: 5 },
          { reason: 'best_seller', score: 2 },
          { reason: 'best_seller', score: 0 },
        ],
      );
    });

    it('falls back to best sellers when the product has no order history', async () => {
      const body: Recommended[] = (await recommend('V')).json();
      // P and T sold 5 each (tie by id), Q 3, R and U 2 each (U's cancelled 10 ignored), S 1.
      assert.deepEqual(names(body), ['P', 'T', 'Q', 'R', 'U', 'S']);
      assert.ok(body.every((p) => p.recommendation.reason === 'best_seller'));
    });

    it('crosses categories for products bought together and honours limit', async () => {
      assert.deepEqual(names((await recommend('W')).json()), ['P', 'R']);
      assert.deepEqual(names((await recommend('P', '?limit=1')).json()), ['Q']);
    });

    it('never recommends the product itself, archived or out-of-stock products', async () => {
      for (const name of ['P', 'Q', 'V', 'W']) {
        const got = names((await recommend(name)).json());
        assert.ok(!got.includes(name), `${name} recommends itself`);
        assert.ok(!got.includes('Archived') && !got.includes('Out'), `${name}: ${got}`);
      }
      await setStock(t.db, id.R!, 0);
      try {
        assert.deepEqual(names((await recommend('P', '?limit=4')).json()), ['Q', 'S', 'W', 'T']);
      } finally {
        await setStock(t.db, id.R!, 100);
      }
    });

    it('answers 404 for an archived or unknown product and 400 for a bad limit', async () => {
      const archived = await recommend('Archived');
      assert.equal(archived.statusCode, 404);
      assert.equal(archived.json().code, 'not_found');
      const unknown = await t.request({ method: 'GET', url: '/api/products/999999/recommendations' });
      assert.equal(unknown.statusCode, 404);
      for (const limit of ['0', '51', 'x']) {
        const res = await recommend('P', `?limit=${limit}`);
        assert.equal(res.statusCode, 400, limit);
        assert.equal(res.json().code, 'validation_failed');
      }
    });

    it("pairs within the product's most recent non-cancelled orders only", async () => {
      // P's two latest live orders are [P, Archived, Out] and [P, S]: only S is left to pair.
      assert.deepEqual(await boughtTogether(t.db, id.P!, 10, 2), [{ product_id: id.S, score: 1 }]);
      assert.deepEqual(
        (await boughtTogether(t.db, id.P!, 10)).map((r) => r.product_id),
        [id.Q, id.R, id.S, id.W],
      );
    });

    // Last: it adds sales.
    it("reuses a category's best-seller ranking for a minute, by the app clock", async () => {
      const fallback = ['P', 'T', 'Q', 'R', 'U', 'S'];
      assert.deepEqual(names((await recommend('V')).json()), fallback);
      await insertOrder(t.db, [[id.S!, 10]]);
      assert.deepEqual(names((await recommend('V')).json()), fallback);
      t.clock.advance(BEST_SELLERS_TTL_MS + 1);
      assert.deepEqual(names((await recommend('V')).json()), ['S', 'P', 'T', 'Q', 'R', 'U']);
    });
  });
}
