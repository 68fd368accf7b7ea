import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/lib/clock.js';
import { ADMIN_PASSWORD, buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { insertCategory, insertOrder, insertProduct } from './helpers/order-history.js';
import { defaultVariantId } from './helpers/variants.js';

const NOW = '2026-03-31T12:00:00.000Z';
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();

for (const dialect of testDialects()) {
  describe(`inventory insights (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let category: number;
    const id: Record<string, number> = {};

    before(async () => {
      t = await buildTestApp(dialect, { clock: new ManualClock(NOW) });
      admin = await t.adminToken();
      category = await insertCategory(t.db, 'Inventory test');
      const product = async (name: string, stock: number, archived = false) => {
        id[name] = await insertProduct(t.db, { name, category_id: category, stock, archived });
      };
      await product('A', 10); // 30 sold → 1/day, 10 days of cover
      await product('B', 6); // 30 sold → 6 days of cover: reorder
      await product('C', 3); // nothing sold, under the threshold: reorder
      await product('D', 50); // only old and cancelled sales: counts as nothing sold
      await product('E', 0); // 3 sold, none left: 0 days of cover
      await product('F', 1, true); // archived: not in the report
      await product('G', 20); // 20 sold → 30 days of cover
      await product('H', 12); // 36 sold → 10 days of cover, ties with A

      // A's 30 units: yesterday, two weeks ago and exactly at the start of the window;
      // 10 more a second before the window are outside it.
      await insertOrder(t.db, [[id.A!, 10]], { created_at: ago(DAY) });
      await insertOrder(
        t.db,
        [
          [id.A!, 10],
          [id.B!, 30],
        ],
        { created_at: ago(15 * DAY), status: 'delivered' },
      );
      await insertOrder(t.db, [[id.A!, 10]], { created_at: ago(30 * DAY), status: 'shipped' });
      await insertOrder(
        t.db,
        [
          [id.A!, 10],
          [id.D!, 10],
        ],
        { created_at: ago(30 * DAY + 1000) },
      );
      await insertOrder(t.db, [[id.D!, 5]], { created_at: ago(2 * DAY), status: 'cancelled' });
      await insertOrder(
        t.db,
        [
          [id.E!, 3],
          [id.F!, 4],
        ],
        { created_at: ago(3 * DAY) },
      );
      await insertOrder(
        t.db,
        [
          [id.G!, 20],
          [id.H!, 36],
        ],
        { created_at: ago(10 * DAY) },
      );
    });
    after(() => t.close());

    const report = async (query: string, token = admin) =>
      t.request({ method: 'GET', url: `/api/admin/inventory?category_id=${category}&${query}`, token });
    const names = (body: Array<{ product_id: number }>) =>
      body.map((row) => Object.keys(id).find((name) => id[name] === row.product_id));

    it('reports stock, 30-day sales, velocity, cover and the reorder flag per variant (one each here)', async () => {
      const res = await report('sort=id');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-total-count'], '7');
      const byName = Object.fromEntries(
        res.json().map((row: { product_id: number }) => [names([row])[0], row]),
      );
      assert.deepEqual(byName.A, {
        variant_id: await defaultVariantId(t.db, id.A!),
        sku: null,
        variant_title: 'Default',
        product_id: id.A,
        name: 'A',
        category_id: category,
        stock: 10,
        sold_last_30_days: 30,
        daily_velocity: 1,
        days_of_cover: 10,
        reorder: false,
      });
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(byName).map(([name, row]) => [
            name,
            [row.sold_last_30_days, row.daily_velocity, row.days_of_cover, row.reorder],
          ]),
        ),
        {
          A: [30, 1, 10, false],
          B: [30, 1, 6, true],
          C: [0, 0, null, true],
          D: [0, 0, null, false],
          E: [3, 0.1, 0, true],
          G: [20, 0.67, 30, false],
          H: [36, 1.2, 10, false],
        },
      );
    });

    it('sorts by days of cover, most urgent first, never-sold last; ties by id', async () => {
      assert.deepEqual(names((await report('')).json()), ['E', 'B', 'A', 'H', 'G', 'C', 'D']);
      assert.deepEqual(names((await report('sort=days_of_cover')).json()), [
        'E',
        'B',
        'A',
        'H',
        'G',
        'C',
        'D',
      ]);
      assert.deepEqual(names((await report('sort=-days_of_cover')).json()), [
        'C',
        'D',
        'G',
        'A',
        'H',
        'B',
        'E',
      ]);
    });

    it('pages like every list', async () => {
      const res = await report('limit=2&offset=1');
      assert.deepEqual(names(res.json()), ['B', 'A']);
      assert.equal(res.headers['x-total-count'], '7');
      assert.match(String(res.headers.link), /offset=3>; rel="next"/);
      assert.match(String(res.headers.link), /offset=0>; rel="prev"/);
    });

    it('filters to reorder candidates and honours low_stock_threshold', async () => {
      assert.deepEqual(names((await report('reorder=true')).json()), ['E', 'B', 'C']);
      assert.deepEqual(names((await report('reorder=true&low_stock_threshold=0')).json()), ['E', 'B']);
      assert.deepEqual(names((await report('reorder=true&low_stock_threshold=11')).json()), [
        'E',
        'B',
        'A',
        'C',
      ]);
    });

    it('moves the 30-day window with the clock', async () => {
      t.clock.set(new Date(Date.parse(NOW) + 1000));
      try {
        const row = (await report('sort=id'))
          .json()
          .find((r: { product_id: number }) => r.product_id === id.A);
        assert.equal(row.sold_last_30_days, 20);
        assert.equal(row.days_of_cover, 15);
        t.clock.set(new Date(Date.parse(NOW) + 40 * DAY));
        // Access tokens expire on the same clock: sign in again 40 days later.
        const login = await t.request({
          method: 'POST',
          url: '/api/login',
          payload: { username: 'admin', password: ADMIN_PASSWORD },
        });
        const later = (await report('sort=id', login.json().access_token)).json();
        assert.ok(later.every((r: { sold_last_30_days: number }) => r.sold_last_30_days === 0));
      } finally {
        t.clock.set(NOW);
      }
    });

    it('is for admins only and validates its query', async () => {
      assert.equal((await t.request({ method: 'GET', url: '/api/admin/inventory' })).statusCode, 401);
      const customer = await t.customer();
      assert.equal((await report('', customer.token)).statusCode, 403);
      const bad = await report('low_stock_threshold=-1');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'validation_failed');
      assert.equal((await report('sort=stock')).statusCode, 400);
    });
  });
}
