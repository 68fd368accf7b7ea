import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { changeTrackerOf } from '../src/plugins/catalog-cache/index.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog, catalogSettled } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';
import { writeBehindTheAppsBack } from './helpers/outside-write.js';

/** The signed-in cart read from memory: its lines are the only SQL, and what it shows is never stale. */
for (const dialect of testDialects()) {
  describe(`cart reads (${dialect})`, () => {
    let t: TestApp;
    let shop: ReturnType<typeof catalog>;
    before(async () => {
      t = await buildTestApp(dialect, { file: true });
      shop = catalog(t);
    });
    after(() => t.close());

    const cartOf = async (token: string) => {
      const res = await t.request({ method: 'GET', url: '/api/cart', token });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const add = async (token: string, productId: number, quantity = 1) => {
      const res = await t.request({
        method: 'POST',
        url: '/api/cart',
        token,
        payload: { product_id: productId, quantity },
      });
      assert.equal(res.statusCode, 201, res.body);
    };
    /** The cart polled until `done` holds (PostgreSQL hears another process's write asynchronously). */
    const cartWithin = async (
      token: string,
      done: (cart: { items: { unit_price: number; product: { stock: number } }[] }) => boolean,
    ) => {
      let cart = await cartOf(token);
      for (let i = 0; i < 50 && !done(cart); i++) {
        await sleep(20);
        cart = await cartOf(token);
      }
      return cart;
    };

    const settled = () => catalogSettled(t);

    it('a repeated read of a 5-line cart runs no statement', async () => {
      const buyer = await t.customer('fivelines');
      for (let i = 0; i < 5; i++) await add(buyer.token, (await shop.product({ name: `Line ${i}` })).id);
      await settled();
      await cartOf(buyer.token);
      const tracker = changeTrackerOf(t.db);
      const before = tracker.statements;
      const cart = await cartOf(buyer.token);
      assert.equal(cart.items.length, 5);
      assert.equal(tracker.statements - before, 0);
    });

    it('a repeated read is the answer kept from the last one, until a write of that cart', async () => {
      const buyer = await t.customer('kept');
      const product = await shop.product({ name: 'Kept lamp', price: 12 });
      await add(buyer.token, product.id);
      await settled();
      await cartOf(buyer.token);
      const tracker = changeTrackerOf(t.db);
      const before = tracker.statements;
      assert.equal((await cartOf(buyer.token)).items[0].quantity, 1);
      assert.equal(tracker.statements - before, 0, 'no statement for a kept answer');

      const quantities = async () =>
        (await cartOf(buyer.token)).items.map((i: { quantity: number }) => i.quantity);
      await add(buyer.token, product.id);
      assert.deepEqual(await quantities(), [2]);
      const lineId = (await cartOf(buyer.token)).items[0].id;
      const write = async (method: 'PATCH' | 'DELETE', url: string, payload?: object) => {
        const res = await t.request({ method, url, token: buyer.token, ...(payload ? { payload } : {}) });
        assert.ok(res.statusCode < 300, res.body);
      };
      await write('PATCH', `/api/cart/lines/${lineId}`, { quantity: 5 });
      assert.deepEqual(await quantities(), [5]);
      await write('DELETE', `/api/cart/lines/${lineId}`);
      assert.deepEqual(await quantities(), []);
      await add(buyer.token, product.id);
      assert.deepEqual(await quantities(), [1]);
      await write('DELETE', '/api/cart');
      assert.deepEqual(await quantities(), []);
      await add(buyer.token, product.id, 3);
      assert.deepEqual(await quantities(), [3]);
      const declined = await t.request({
        method: 'POST',
        url: '/api/checkout',
        token: buyer.token,
        payload: { payment: { provider: 'test', token: 'tok_declined' } },
      });
      assert.equal(declined.statusCode, 402, declined.body);
      assert.deepEqual(await quantities(), [3], 'a declined checkout gives the lines back');
      const placed = await t.request({ method: 'POST', url: '/api/checkout', token: buyer.token });
      assert.equal(placed.statusCode, 201, placed.body);
      assert.deepEqual(await quantities(), []);
    });

    it('shows a change to the cart lines made by another process', async () => {
      const buyer = await t.customer('elsewhere');
      const product = await shop.product({ name: 'Shared mug', price: 8 });
      await add(buyer.token, product.id);
      await settled();
      await cartOf(buyer.token);
      await cartOf(buyer.token);
      await writeBehindTheAppsBack(t, `update cart_items set quantity = 7 where user_id = ${buyer.id}`);
      const cart = await cartWithin(
        buyer.token,
        (c) => (c.items[0] as { quantity?: number })?.quantity === 7,
      );
      assert.equal(cart.items[0].quantity, 7);
    });

    it('adds in one statement beside the cart read; concurrent adds never take a line past its limit', async () => {
      const buyer = await t.customer('warmadd');
      const plenty = await shop.product({ name: 'Plenty', stock: 100_000 });
      const few = await shop.product({ name: 'Few', stock: 250 });
      await settled();
      await add(buyer.token, plenty.id); // the product's JSON is now in memory
      const tracker = changeTrackerOf(t.db);
      const before = tracker.statements;
      await add(buyer.token, plenty.id);
      assert.ok(tracker.statements - before <= 2, `${tracker.statements - before} statements`);

      const burst = (productId: number) =>
        Promise.all(
          Array.from({ length: 20 }, () =>
            t.request({
              method: 'POST',
              url: '/api/cart',
              token: buyer.token,
              payload: { product_id: productId, quantity: 100 },
            }),
          ),
        );
      const toCap = await burst(plenty.id);
      assert.equal(toCap.filter((r) => r.statusCode === 201).length, 9); // 2 + 9 × 100 = 902 ≤ 999
      assert.ok(
        toCap.filter((r) => r.statusCode !== 201).every((r) => r.json().errors?.[0]?.path === '/quantity'),
      );
      const toStock = await burst(few.id);
      assert.equal(toStock.filter((r) => r.statusCode === 201).length, 2);
      assert.ok(
        toStock.filter((r) => r.statusCode !== 201).every((r) => r.json().code === 'insufficient_stock'),
      );
      const lines = (await cartOf(buyer.token)).items.map((i: { product_id: number; quantity: number }) => [
        i.product_id,
        i.quantity,
      ]);
      assert.deepEqual(lines, [
        [plenty.id, 902],
        [few.id, 200],
      ]);
    });

    it('shows an admin’s price change and a sale elsewhere on the next read', async () => {
      const buyer = await t.customer('reprice');
      const product = await shop.product({ name: 'Kept lamp', price: 20, stock: 4 });
      await add(buyer.token, product.id, 3);
      assert.equal((await cartOf(buyer.token)).items[0].unit_price, 20);
      await shop.admin('PATCH', `/api/products/${product.id}`, { price: 25 });
      assert.equal((await cartOf(buyer.token)).items[0].unit_price, 25);

      const other = await t.customer('takesit');
      await add(other.token, product.id, 2);
      const order = await t.request({ method: 'POST', url: '/api/checkout', token: other.token });
      assert.equal(order.statusCode, 201, order.body);
      const cart = await cartOf(buyer.token);
      assert.equal(cart.items[0].product.stock, 2);
      assert.deepEqual(
        cart.notices.map((n: { code: string; available: number }) => [n.code, n.available]),
        [['insufficient_stock', 2]],
      );
    });

    it('after a sale elsewhere, reads only the lines and the stock, and shows what the product page shows', async () => {
      const buyer = await t.customer('stockonly');
      const plain = await shop.product({ name: 'Stock lamp', stock: 6 });
      const sized = await shop.product({
        name: 'Stock shirt',
        stock: undefined,
        options: [{ name: 'Size', values: ['S', 'M'] }],
        variants: [
          { option_values: { Size: 'S' }, stock: 2 },
          { option_values: { Size: 'M' }, stock: 5 },
        ],
      });
      const [small, medium] = sized.variants;
      await add(buyer.token, plain.id);
      await t.request({
        method: 'POST',
        url: '/api/cart',
        token: buyer.token,
        payload: { product_id: sized.id, variant_id: medium.id },
      });
      await cartOf(buyer.token);

      // Another customer buys 2 of the lamp and every small shirt: stock changes, nothing else.
      const other = await t.customer('sellsout');
      await add(other.token, plain.id, 2);
      await t.request({
        method: 'POST',
        url: '/api/cart',
        token: other.token,
        payload: { product_id: sized.id, variant_id: small.id, quantity: 2 },
      });
      const order = await t.request({ method: 'POST', url: '/api/checkout', token: other.token });
      assert.equal(order.statusCode, 201, order.body);
      await settled();

      const tracker = changeTrackerOf(t.db);
      const before = tracker.statements;
      const cart = await cartOf(buyer.token);
      // The cart's lines and its products' stock: no product is read again.
      assert.equal(tracker.statements - before, 2);
      for (const product of [plain, sized]) {
        const page = (await shop.get(`/api/products/${product.id}`)).json();
        const line = cart.items.find((i: { product_id: number }) => i.product_id === product.id);
        assert.deepEqual(line.product, page);
      }
      const shirt = cart.items.find((i: { product_id: number }) => i.product_id === sized.id).product;
      assert.equal(shirt.stock, 5);
      assert.deepEqual(
        shirt.variants.map((v: { stock: number; in_stock: boolean }) => [v.stock, v.in_stock]),
        [
          [0, false],
          [5, true],
        ],
      );

      // Stock set by another process is seen too.
      await writeBehindTheAppsBack(t, `update product_variants set stock = 1 where product_id = ${plain.id}`);
      const later = await cartWithin(buyer.token, (c) => c.items[0]?.product.stock === 1);
      assert.equal(later.items[0].product.stock, 1);
    });

    it('sees a price written by another process', async () => {
      const buyer = await t.customer('outside');
      const product = await shop.product({ name: 'Kept kettle', price: 30 });
      await add(buyer.token, product.id);
      assert.equal((await cartOf(buyer.token)).items[0].unit_price, 30);
      await writeBehindTheAppsBack(
        t,
        `update product_variants set price_cents = 3500 where product_id = ${product.id}`,
      );
      const cart = await cartWithin(buyer.token, (c) => c.items[0]?.unit_price === 35);
      assert.equal(cart.items[0].unit_price, 35);
    });

    it('reprices when an offer starts or ends, with no write at all', async () => {
      const buyer = await t.customer('offertime');
      const product = await shop.product({ name: 'Kept chair', price: 100 });
      await add(buyer.token, product.id);
      const now = t.clock.now().getTime();
      const offer = await shop.offer({
        name: 'Later cart sale',
        discount_percent: 10,
        start_time: new Date(now + 60 * 60_000).toISOString(),
        end_time: new Date(now + 2 * 60 * 60_000).toISOString(),
      });
      await shop.apply(offer.id, product.id);
      assert.equal((await cartOf(buyer.token)).grand_total, 100);
      assert.equal((await cartOf(buyer.token)).grand_total, 100);
      // A token signed at the moved clock: the one from an hour before has expired.
      const login = async () =>
        (
          await t.request({
            method: 'POST',
            url: '/api/login',
            payload: { username: buyer.username, password: buyer.password },
          })
        ).json().access_token as string;
      t.clock.advance(60 * 60_000);
      const during = await cartOf(await login());
      assert.equal(during.grand_total, 90);
      assert.equal(during.items[0].product.current_price, 90);
      t.clock.advance(60 * 60_000);
      assert.equal((await cartOf(await login())).grand_total, 100);
      t.clock.advance(-2 * 60 * 60_000); // back, so the other tokens are fresh again
    });

    it('drops a line whose product was archived since the last read, once, with a notice', async () => {
      const buyer = await t.customer('archived');
      const kept = await shop.product({ name: 'Kept mug' });
      const withdrawn = await shop.product({ name: 'Withdrawn mug' });
      // Bought once, so deleting it archives it (past orders keep naming it).
      const earlier = await t.customer('boughtit');
      await add(earlier.token, withdrawn.id);
      assert.equal(
        (await t.request({ method: 'POST', url: '/api/checkout', token: earlier.token })).statusCode,
        201,
      );
      await add(buyer.token, kept.id);
      await add(buyer.token, withdrawn.id);
      assert.equal((await cartOf(buyer.token)).items.length, 2);
      assert.equal((await shop.admin('DELETE', `/api/products/${withdrawn.id}`)).statusCode, 204);
      const cart = await cartOf(buyer.token);
      assert.deepEqual(
        cart.items.map((i: { product_id: number }) => i.product_id),
        [kept.id],
      );
      assert.deepEqual(
        cart.notices.map((n: { code: string; product_id: number }) => [n.code, n.product_id]),
        [['product_unavailable', withdrawn.id]],
      );
      assert.deepEqual((await cartOf(buyer.token)).notices, []);
    });
  });
}
