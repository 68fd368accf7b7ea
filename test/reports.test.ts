import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/lib/clock.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, checkout, insertProduct } from './helpers/orders.js';

const URL = '/api/admin/reports/sales';

for (const dialect of testDialects()) {
  describe(`sales report (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    const product: Record<'A' | 'B', number> = { A: 0, B: 0 };

    /** A checkout by a new customer at `at` (UTC): the order id. */
    const orderAt = async (at: string, lines: Array<[number, number]>, provider = 'test') => {
      t.clock.set(at);
      const buyer = await t.customer('buyer');
      for (const [id, quantity] of lines) await addToCart(t, buyer.token, id, quantity);
      const payment = provider === 'test' ? { provider, token: 'tok_visa' } : { provider };
      const res = await checkout(t, buyer.token, { payload: { payment } });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().order.id as number;
    };

    const report = async (query: string) => {
      const res = await t.request({ method: 'GET', url: `${URL}${query}`, token: admin });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    before(async () => {
      t = await buildTestApp(dialect, { clock: new ManualClock('2026-02-27T09:00:00.000Z') });
      product.A = await insertProduct(t, { name: 'Alpha', price_cents: 1000, stock: 100 });
      product.B = await insertProduct(t, { name: 'Beta', price_cents: 2550, stock: 100 });
      await orderAt('2026-02-27T09:00:00.000Z', [[product.A, 1]]); // Friday, February
      const refunded = await orderAt('2026-03-02T23:59:59.999Z', [[product.A, 2]]); // last instant of Monday 2nd
      await orderAt('2026-03-03T10:00:00.000Z', [[product.B, 3]], 'manual'); // pay later: no money yet
      await orderAt('2026-03-03T00:00:00.000Z', [
        [product.B, 1],
        [product.A, 1],
      ]);
      const cancelled = await orderAt('2026-03-09T10:00:00.000Z', [[product.B, 2]]);
      t.clock.set('2026-03-10T12:00:00.000Z');
      admin = await t.adminToken();
      // Cancelling a paid order refunds it in full (51.00); 5.50 of another is refunded.
      const res = await t.request({ method: 'POST', url: `/api/orders/${cancelled}/cancel`, token: admin });
      assert.equal(res.statusCode, 200, res.body);
      const refund = await t.request({
        method: 'POST',
        url: `/api/orders/${refunded}/refunds`,
        token: admin,
        payload: { amount: 5.5 },
      });
      assert.equal(refund.statusCode, 201, refund.body);
    });
    after(() => t.close());

    it('counts paid, non-cancelled orders per UTC day, net of refunds, every day present, with totals and top products', async () => {
      const body = await report('?from=2026-02-27&to=2026-03-10');
      assert.equal(body.currency, 'USD');
      assert.equal(body.interval, 'day');
      assert.equal(body.series.length, 12);
      assert.deepEqual(body.series[0], { period: '2026-02-27', orders: 1, revenue: 10, units: 1 });
      assert.deepEqual(body.series[1], { period: '2026-02-28', orders: 0, revenue: 0, units: 0 });
      assert.deepEqual(
        body.series.find((p: { period: string }) => p.period === '2026-03-02'),
        { period: '2026-03-02', orders: 1, revenue: 14.5, units: 2 },
      );
      assert.deepEqual(
        body.series.find((p: { period: string }) => p.period === '2026-03-03'),
        { period: '2026-03-03', orders: 1, revenue: 35.5, units: 2 },
      );
      assert.deepEqual(body.series.at(-2), { period: '2026-03-09', orders: 0, revenue: 0, units: 0 });
      // 10.00 + (20.00 − 5.50) + 35.50 = 60.00 over 3 orders; refunds: 51.00 (the cancellation) + 5.50
      assert.deepEqual(body.totals, {
        orders: 3,
        revenue: 60,
        units: 5,
        average_order_value: 20,
        refunds: 56.5,
      });
      assert.deepEqual(body.top_products, [
        { product_id: product.A, name: 'Alpha', units: 4, revenue: 40 },
        { product_id: product.B, name: 'Beta', units: 1, revenue: 25.5 },
      ]);
    });

    it('takes both ends inclusive, in UTC', async () => {
      const body = await report('?from=2026-03-02&to=2026-03-02');
      assert.deepEqual(body.series, [{ period: '2026-03-02', orders: 1, revenue: 14.5, units: 2 }]);
      assert.equal(body.totals.orders, 1);
      assert.equal(body.totals.refunds, 0, 'refunds count on the day they happen (March 10th)');
    });

    it('groups by ISO week (Monday) and by month, periods that touch the range included', async () => {
      const weeks = await report('?from=2026-02-27&to=2026-03-10&interval=week');
      assert.deepEqual(weeks.series, [
        { period: '2026-02-23', orders: 1, revenue: 10, units: 1 },
        { period: '2026-03-02', orders: 2, revenue: 50, units: 4 },
        { period: '2026-03-09', orders: 0, revenue: 0, units: 0 },
      ]);
      const months = await report('?from=2026-01-15&to=2026-03-10&interval=month');
      assert.deepEqual(months.series, [
        { period: '2026-01-01', orders: 0, revenue: 0, units: 0 },
        { period: '2026-02-01', orders: 1, revenue: 10, units: 1 },
        { period: '2026-03-01', orders: 2, revenue: 50, units: 4 },
      ]);
    });

    it('defaults to the last 30 days, today included', async () => {
      const body = await report('');
      assert.equal(body.from, '2026-02-09');
      assert.equal(body.to, '2026-03-10');
      assert.equal(body.series.length, 30);
      assert.equal(body.totals.orders, 3);
    });

    it('answers zeros for a range without orders', async () => {
      const body = await report('?from=2025-01-01&to=2025-01-03');
      assert.equal(body.series.length, 3);
      assert.deepEqual(body.totals, { orders: 0, revenue: 0, units: 0, average_order_value: 0, refunds: 0 });
      assert.deepEqual(body.top_products, []);
    });

    it('refuses bad ranges with a problem', async () => {
      for (const [query, path] of [
        ['?from=2026-03-10&to=2026-03-01', '/from'],
        ['?from=2026-02-30', '/from'],
        ['?to=2026-13-01', '/to'],
        ['?from=2010-01-01&to=2026-01-01', '/from'],
      ] as const) {
        const res = await t.request({ method: 'GET', url: `${URL}${query}`, token: admin });
        assert.equal(res.statusCode, 400, query);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.json().errors[0].path, path, query);
      }
      for (const query of ['?interval=year', '?from=March', '?extra=1']) {
        const res = await t.request({ method: 'GET', url: `${URL}${query}`, token: admin });
        assert.equal(res.statusCode, 400, query);
        assert.equal(res.json().code, 'validation_failed');
      }
    });

    it('is for admins only', async () => {
      assert.equal((await t.request({ method: 'GET', url: URL })).statusCode, 401);
      const customer = await t.customer();
      assert.equal((await t.request({ method: 'GET', url: URL, token: customer.token })).statusCode, 403);
    });
  });
}
