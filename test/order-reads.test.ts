import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { changeTrackerOf } from '../src/plugins/catalog-cache/index.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalogSettled } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';
import { addToCart, checkout, insertSerializedProduct } from './helpers/orders.js';
import { writeBehindTheAppsBack } from './helpers/outside-write.js';

/**
 * A signed-in customer's order pages: a fixed number of statements whatever the orders hold (the
 * serial numbers ride on the lines' statement, which once took a statement of their own after it).
 */
for (const dialect of testDialects()) {
  describe(`order reads (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { file: true });
    });
    after(() => t.close());

    const statementsOf = async (url: string, token: string) => {
      const tracker = changeTrackerOf(t.db);
      const before = tracker.statements;
      const res = await t.request({ method: 'GET', url, token });
      assert.equal(res.statusCode, 200, res.body);
      return { statements: tracker.statements - before, res };
    };

    it('lists orders with their lines, serial numbers, payment and total in 6 statements; one order in 5; again in none', async () => {
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

      await catalogSettled(t);
      // Plus, once per catalog version, the next offer boundary (how long the answer may be kept).
      const list = await statementsOf('/api/orders', buyer.token);
      assert.ok(list.statements <= 7, `${list.statements} statements for the list`);
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
      assert.ok(one.statements <= 6, `${one.statements} statements for one order`);
      assert.deepEqual(one.res.json(), orders[1]);

      // Read again: the kept answers, headers included, and no statement.
      const again = await statementsOf('/api/orders', buyer.token);
      assert.equal(again.statements, 0);
      assert.equal(again.res.body, list.res.body);
      assert.equal(again.res.headers['x-total-count'], '3');
      assert.equal((await statementsOf(`/api/orders/${placed[1]}`, buyer.token)).statements, 0);
    });

    it('a kept order answer shows every later change: refund, shipment, cancel, another process', async () => {
      const buyer = await t.customer('keptorders');
      const admin = await t.adminToken();
      const camera = await insertSerializedProduct(t, 4, { name: 'Kept camera', price_cents: 5_000 });
      const ids: number[] = [];
      for (let i = 0; i < 2; i++) {
        await addToCart(t, buyer.token, camera.id, 1);
        const payload = i === 0 ? { payment: { provider: 'test', token: 'tok_visa' } } : undefined;
        ids.push((await checkout(t, buyer.token, { payload })).json().order.id);
      }
      const [paid, later] = ids as [number, number];
      const order = async (id: number) =>
        (await t.request({ method: 'GET', url: `/api/orders/${id}`, token: buyer.token })).json();
      const list = async () =>
        await t.request({ method: 'GET', url: '/api/orders?limit=1', token: buyer.token });
      // Kept, then changed by each write; the next read shows it.
      await order(paid);
      await order(paid);
      const refunded = await t.request({
        method: 'POST',
        url: `/api/orders/${paid}/refunds`,
        token: admin,
        payload: { amount: 10 },
      });
      assert.equal(refunded.statusCode, 201, refunded.body);
      assert.equal((await order(paid)).payment.amount_refunded, 10);
      const shipped = await t.request({
        method: 'POST',
        url: `/api/orders/${paid}/shipments`,
        token: admin,
        payload: { carrier: 'DHL', tracking_number: 'KP-1' },
      });
      assert.equal(shipped.statusCode, 201, shipped.body);
      assert.equal((await order(paid)).shipments[0].tracking_number, 'KP-1');
      assert.equal((await order(paid)).status, 'shipped');

      const first = await list();
      assert.equal(first.headers['x-total-count'], '2');
      assert.match(String(first.headers.link), /rel="next"/);
      await list();
      const cancelled = await t.request({
        method: 'POST',
        url: `/api/orders/${later}/cancel`,
        token: buyer.token,
      });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.equal((await list()).json()[0].status, 'cancelled');

      // Another process's write, behind this app's back.
      await order(later);
      await writeBehindTheAppsBack(
        t,
        `update shipments set tracking_number = 'KP-2' where order_id = ${paid}`,
      );
      let seen = '';
      for (let i = 0; i < 50 && seen !== 'KP-2'; i++) {
        seen = (await order(paid)).shipments[0].tracking_number;
        if (seen !== 'KP-2') await sleep(20);
      }
      assert.equal(seen, 'KP-2');
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
