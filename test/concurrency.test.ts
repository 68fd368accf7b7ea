import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, checkout, insertProduct, insertSerializedProduct, stockOf } from './helpers/orders.js';

/*
 * Races that a read-then-write checkout loses: every request reads "enough stock" before any
 * writes. All requests are in flight at once (Promise.all through inject); on PostgreSQL they
 * run on separate pooled connections.
 */
for (const dialect of testDialects()) {
  describe(`concurrency (${dialect})`, () => {
    let t: TestApp;
    let shoppers: { id: number; token: string }[];
    before(async () => {
      t = await buildTestApp(dialect);
      shoppers = await Promise.all(Array.from({ length: 60 }, () => t.customer('racer')));
    });
    after(() => t.close());

    const soldOf = (productId: number) =>
      t.db
        .selectFrom('order_items')
        .innerJoin('orders', 'orders.id', 'order_items.order_id')
        .select(['order_items.id', 'order_items.quantity'])
        .where('order_items.product_id', '=', productId)
        .where('orders.status', '!=', 'cancelled')
        .execute();

    it('sells 20 units to exactly 20 of 60 simultaneous buyers', async () => {
      const productId = await insertProduct(t, { stock: 20 });
      for (const s of shoppers) await addToCart(t, s.token, productId, 1);
      const responses = await Promise.all(shoppers.map((s) => checkout(t, s.token)));
      const created = responses.filter((r) => r.statusCode === 201);
      const refused = responses.filter((r) => r.statusCode === 409);
      assert.equal(created.length, 20);
      assert.equal(refused.length, 40);
      for (const r of refused) {
        assert.equal(r.json().code, 'insufficient_stock');
        assert.deepEqual(r.json().items[0].available, 0);
      }
      assert.equal(await stockOf(t.db, productId), 0);
      const sold = await soldOf(productId);
      assert.equal(sold.length, 20);
      assert.equal(
        sold.reduce((n, i) => n + i.quantity, 0),
        20,
      );
      await Promise.all(
        shoppers.map((s) => t.request({ method: 'DELETE', url: '/api/cart', token: s.token })),
      );
    });

    it('never sells a serialized unit twice under the same race', async () => {
      const { id, serials } = await insertSerializedProduct(t, 20);
      for (const s of shoppers) await addToCart(t, s.token, id, 1);
      const responses = await Promise.all(shoppers.map((s) => checkout(t, s.token)));
      const created = responses.filter((r) => r.statusCode === 201);
      assert.equal(created.length, 20);
      assert.equal(responses.filter((r) => r.statusCode === 409).length, 40);
      const soldSerials = created.flatMap((r) => r.json().order.items[0].serial_numbers as string[]);
      assert.equal(soldSerials.length, 20);
      assert.equal(new Set(soldSerials).size, 20);
      assert.deepEqual([...soldSerials].sort(), [...serials].sort());
      assert.equal(await stockOf(t.db, id), 0);
      const units = await t.db
        .selectFrom('units')
        .select(['status', 'order_item_id'])
        .where('product_id', '=', id)
        .execute();
      assert.ok(units.every((u) => u.status === 'sold' && u.order_item_id !== null));
      assert.equal(new Set(units.map((u) => u.order_item_id)).size, 20);
      await Promise.all(
        shoppers.map((s) => t.request({ method: 'DELETE', url: '/api/cart', token: s.token })),
      );
    });

    it('keeps stock and units exact when a cancellation races a checkout for the last unit', async () => {
      const [first, second] = shoppers as [(typeof shoppers)[0], (typeof shoppers)[0]];
      for (let round = 0; round < 8; round++) {
        const { id } = await insertSerializedProduct(t, 1);
        await addToCart(t, second.token, id, 1);
        await addToCart(t, first.token, id, 1);
        const placed = await checkout(t, first.token);
        assert.equal(placed.statusCode, 201);
        const [cancelled, bought] = await Promise.all([
          t.request({
            method: 'POST',
            url: `/api/orders/${placed.json().order.id}/cancel`,
            token: first.token,
          }),
          checkout(t, second.token),
        ]);
        assert.equal(cancelled.statusCode, 200);
        assert.ok([201, 409].includes(bought.statusCode), bought.body);
        // Either the returned unit was bought (stock 0, one live order) or not (stock 1, none).
        const live = await soldOf(id);
        const stock = await stockOf(t.db, id);
        assert.equal(stock + live.length, 1);
        assert.equal(live.length, bought.statusCode === 201 ? 1 : 0);
        const available = await t.db
          .selectFrom('units')
          .select('id')
          .where('product_id', '=', id)
          .where('status', '=', 'available')
          .execute();
        assert.equal(available.length, stock);
        await t.request({ method: 'DELETE', url: '/api/cart', token: second.token });
      }
    });

    it('returns stock once when cancellations and shipping race for one order', async () => {
      const admin = await t.adminToken();
      const buyer = shoppers[2] as (typeof shoppers)[0];
      for (let round = 0; round < 8; round++) {
        const productId = await insertProduct(t, { stock: 5 });
        await addToCart(t, buyer.token, productId, 3);
        const order = (await checkout(t, buyer.token)).json().order;
        const responses = await Promise.all([
          t.request({ method: 'POST', url: `/api/orders/${order.id}/cancel`, token: buyer.token }),
          t.request({ method: 'POST', url: `/api/orders/${order.id}/cancel`, token: admin }),
          t.request({
            method: 'PATCH',
            url: `/api/orders/${order.id}/status`,
            token: admin,
            payload: { status: 'shipped' },
          }),
        ]);
        const winners = responses.filter((r) => r.statusCode === 200);
        assert.equal(winners.length, 1, responses.map((r) => r.statusCode).join(','));
        assert.ok(responses.every((r) => r.statusCode === 200 || r.json().code === 'invalid_transition'));
        const status = (winners[0] as (typeof winners)[0]).json().status;
        assert.equal(await stockOf(t.db, productId), status === 'cancelled' ? 5 : 2);
      }
    });
  });
}
