import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { changeTrackerOf } from '../src/plugins/catalog-cache/index.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, checkout, insertSerializedProduct } from './helpers/orders.js';

/**
 * A signed-in customer's order pages: a fixed number of statements whatever the orders hold (the
 * serial numbers ride on the lines' statement, which once took a statement of their own after it).
 */
for (const dialect of testDialects()) {
  describe(`order reads (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    const statementsOf = async (url: string, token: string) => {
      const tracker = changeTrackerOf(t.db);
      const before = tracker.statements;
      const res = await t.request({ method: 'GET', url, token });
      assert.equal(res.statusCode, 200, res.body);
      return { statements: tracker.statements - before, res };
    };

    it('lists orders with their lines, serial numbers, payment and total in 6 statements; one order in 5', async () => {
      const buyer = await t.customer('orderreads');
      const camera = await insertSerializedProduct(t, 6, { name: 'Reads camera', price_cents: 10_000 });
      const placed: number[] = [];
      for (let i = 0; i < 3; i++) {
        await addToCart(t, buyer.token, camera.id, 2);
        // The first pays by card (captured at checkout), the others later.
        const payload = i === 0 ? { payment: { provider: 'test', token: 'tok_visa' } } : undefined;
        const res = await checkout(t, buyer.token, { payload });
        assert.equal(res.statusCode, 201, res.body);
        placed.push(res.json().order.id);
        t.clock.advance(1000);
      }
      const shipped = await t.request({
        method: 'POST',
        url: `/api/orders/${placed[0]}/shipments`,
        token: await t.adminToken(),
        payload: { carrier: 'DHL', tracking_number: 'RD-1' },
      });
      assert.equal(shipped.statusCode, 201, shipped.body);
      const refund = await t.request({
        method: 'POST',
        url: `/api/orders/${placed[0]}/refunds`,
        token: await t.adminToken(),
        payload: { amount: 30 },
      });
      assert.equal(refund.statusCode, 201, refund.body);

      const list = await statementsOf('/api/orders', buyer.token);
      assert.ok(list.statements <= 6, `${list.statements} statements for the list`);
      assert.equal(list.res.headers['x-total-count'], '3');
      const orders = list.res.json();
      assert.deepEqual(
        orders.map((o: { id: number }) => o.id),
        [...placed].reverse(),
      );
      const sold = orders.flatMap(
        (o: { items: { serial_numbers: string[] }[] }) => o.items[0]!.serial_numbers,
      );
      assert.equal(new Set(sold).size, 6);
      for (const serial of sold) assert.ok(camera.serials.includes(serial));
      assert.equal(orders[2].shipments[0].tracking_number, 'RD-1');
      assert.equal(orders[2].payment.amount_captured, 200);
      assert.equal(orders[2].payment.amount_refunded, 30);
      assert.equal(orders[1].payment.amount_captured, 0);

      const one = await statementsOf(`/api/orders/${placed[1]}`, buyer.token);
      assert.ok(one.statements <= 5, `${one.statements} statements for one order`);
      assert.deepEqual(one.res.json(), orders[1]);
    });

    it('counts the orders of a page past the end', async () => {
      const buyer = await t.customer('pastend');
      const camera = await insertSerializedProduct(t, 1, { name: 'Past-end camera' });
      await addToCart(t, buyer.token, camera.id, 1);
      assert.equal((await checkout(t, buyer.token)).statusCode, 201);
      const page = await t.request({ method: 'GET', url: '/api/orders?offset=5', token: buyer.token });
      assert.equal(page.statusCode, 200);
      assert.deepEqual(page.json(), []);
      assert.equal(page.headers['x-total-count'], '1');
    });
  });
}
