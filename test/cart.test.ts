import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, insertOffer, insertProduct } from './helpers/orders.js';
import { setStock } from './helpers/variants.js';

for (const dialect of testDialects()) {
  describe(`cart (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    const getCart = async (token: string) => {
      const res = await t.request({ method: 'GET', url: '/api/cart', token });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const add = (token: string, payload: Record<string, unknown>) =>
      t.request({ method: 'POST', url: '/api/cart', token, payload });
    const patch = (token: string, productId: number, quantity: unknown) =>
      t.request({ method: 'PATCH', url: `/api/cart/items/${productId}`, token, payload: { quantity } });

    it('needs a signed-in user', async () => {
      assert.equal((await t.request({ method: 'GET', url: '/api/cart' })).statusCode, 401);
      assert.equal(
        (await t.request({ method: 'POST', url: '/api/cart', payload: { product_id: 1 } })).statusCode,
        401,
      );
    });

    it('starts empty, with zero totals', async () => {
      const { token } = await t.customer();
      assert.deepEqual(await getCart(token), {
        items: [],
        item_count: 0,
        subtotal: 0,
        discount_total: 0,
        grand_total: 0,
        notices: [],
      });
    });

    it('adds with 201 (quantity defaults to 1) and adds to an existing line', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { name: 'Mug', price_cents: 1250, stock: 10 });
      const first = await add(token, { product_id: productId });
      assert.equal(first.statusCode, 201);
      assert.equal(first.json().message, 'Added to cart');
      assert.equal(first.json().cart.items[0].quantity, 1);
      await addToCart(t, token, productId, 2);
      const cart = await getCart(token);
      assert.equal(cart.items.length, 1);
      const line = cart.items[0];
      assert.equal(line.product_id, productId);
      assert.equal(line.quantity, 3);
      assert.equal(line.unit_price, 12.5);
      assert.equal(line.line_total, 37.5);
      assert.equal(line.product.id, productId);
      assert.equal(line.product.name, 'Mug');
      assert.equal(line.product.price, 12.5);
      assert.equal(cart.item_count, 3);
      assert.equal(cart.grand_total, 37.5);
    });

    it('prices 3 × 0.10 as exactly 0.30', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { price_cents: 10, stock: 5 });
      await addToCart(t, token, productId, 3);
      const cart = await getCart(token);
      assert.equal(cart.items[0].line_total, 0.3);
      assert.equal(cart.subtotal, 0.3);
      assert.equal(cart.grand_total, 0.3);
    });

    it('prices at the current offer: subtotal at list price, discount_total, grand_total', async () => {
      const { token } = await t.customer();
      const now = t.clock.now().getTime();
      const offerId = await insertOffer(t.db, {
        name: 'Spring',
        discount_bp: 1500,
        start_time: new Date(now - 3_600_000).toISOString(),
        end_time: new Date(now + 3_600_000).toISOString(),
      });
      const onOffer = await insertProduct(t, { price_cents: 1999, stock: 10, offer_id: offerId });
      const plain = await insertProduct(t, { price_cents: 165, stock: 10 });
      await addToCart(t, token, onOffer, 2);
      await addToCart(t, token, plain, 1);
      const cart = await getCart(token);
      // 19.99 at 15% = 16.9915 → 16.99 per unit, rounded half-up to the cent.
      assert.equal(cart.items[0].unit_price, 16.99);
      assert.equal(cart.items[0].line_total, 33.98);
      assert.equal(cart.items[0].product.is_on_offer, true);
      assert.equal(cart.subtotal, 41.63);
      assert.equal(cart.discount_total, 6);
      assert.equal(cart.grand_total, 35.63);
      assert.equal(cart.item_count, 3);
    });

    it('refuses to add beyond the stock, counting what the cart already holds (409 with available)', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 5 });
      await addToCart(t, token, productId, 3);
      const res = await add(token, { product_id: productId, quantity: 3 });
      assert.equal(res.statusCode, 409);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      const problem = res.json();
      assert.equal(problem.code, 'insufficient_stock');
      assert.equal(problem.available, 5);
      assert.equal(problem.in_cart, 3);
      assert.equal(problem.requested, 3);
      assert.equal((await getCart(token)).items[0].quantity, 3);
      assert.equal((await add(token, { product_id: productId, quantity: 2 })).statusCode, 201);
    });

    it('validates the body: quantity 1-999, integers, no unknown fields', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 5000 });
      for (const payload of [
        { product_id: productId, quantity: 0 },
        { product_id: productId, quantity: 1000 },
        { product_id: productId, quantity: 1.5 },
        { product_id: productId, quantity: '2' },
        { product_id: productId, stock: 99 },
        { product_id: productId, id: 1 },
        { quantity: 1 },
      ]) {
        const res = await add(token, payload);
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
        assert.equal(res.json().code, 'validation_failed');
      }
      await addToCart(t, token, productId, 999);
      const over = await add(token, { product_id: productId, quantity: 1 });
      assert.equal(over.statusCode, 400);
      assert.equal(over.json().errors[0].path, '/quantity');
    });

    it('answers 404 for a missing or archived product', async () => {
      const { token } = await t.customer();
      assert.equal((await add(token, { product_id: 999_999 })).statusCode, 404);
      const archived = await insertProduct(t);
      await t.db
        .updateTable('products')
        .set({ archived_at: t.clock.now().toISOString() })
        .where('id', '=', archived)
        .execute();
      const res = await add(token, { product_id: archived });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'not_found');
    });

    it('sets a quantity with PATCH, refuses one beyond the stock, and removes the line at 0', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { price_cents: 200, stock: 4 });
      await addToCart(t, token, productId, 1);
      const res = await patch(token, productId, 4);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().items[0].quantity, 4);
      assert.equal(res.json().grand_total, 8);
      const tooMany = await patch(token, productId, 5);
      assert.equal(tooMany.statusCode, 409);
      assert.equal(tooMany.json().code, 'insufficient_stock');
      assert.equal(tooMany.json().available, 4);
      assert.equal((await patch(token, productId, -1)).statusCode, 400);
      const removed = await patch(token, productId, 0);
      assert.equal(removed.statusCode, 200);
      assert.deepEqual(removed.json().items, []);
      assert.equal((await patch(token, productId, 2)).statusCode, 404);
      assert.equal((await patch(token, productId, 0)).statusCode, 404);
    });

    it('deletes a line (204, then 404) and empties the cart (204)', async () => {
      const { token } = await t.customer();
      const a = await insertProduct(t);
      const b = await insertProduct(t);
      await addToCart(t, token, a);
      await addToCart(t, token, b);
      const del = await t.request({ method: 'DELETE', url: `/api/cart/items/${a}`, token });
      assert.equal(del.statusCode, 204);
      assert.equal(del.body, '');
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/api/cart/items/${a}`, token })).statusCode,
        404,
      );
      assert.deepEqual(
        (await getCart(token)).items.map((i: { product_id: number }) => i.product_id),
        [b],
      );
      assert.equal((await t.request({ method: 'DELETE', url: '/api/cart', token })).statusCode, 204);
      assert.deepEqual((await getCart(token)).items, []);
    });

    it('keeps one cart per user: nobody sees or changes another cart', async () => {
      const alice = await t.customer();
      const bob = await t.customer();
      const productId = await insertProduct(t);
      await addToCart(t, alice.token, productId, 2);
      assert.deepEqual((await getCart(bob.token)).items, []);
      assert.equal((await patch(bob.token, productId, 1)).statusCode, 404);
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/api/cart/items/${productId}`, token: bob.token }))
          .statusCode,
        404,
      );
      assert.equal((await getCart(alice.token)).items[0].quantity, 2);
    });

    it('drops an archived product from the cart with a notice, once, instead of failing', async () => {
      const { token } = await t.customer();
      const kept = await insertProduct(t, { price_cents: 300 });
      const withdrawn = await insertProduct(t, { name: 'Old lamp', price_cents: 500 });
      await addToCart(t, token, kept);
      await addToCart(t, token, withdrawn, 2);
      await t.db
        .updateTable('products')
        .set({ archived_at: t.clock.now().toISOString() })
        .where('id', '=', withdrawn)
        .execute();
      const cart = await getCart(token);
      assert.deepEqual(
        cart.items.map((i: { product_id: number }) => i.product_id),
        [kept],
      );
      assert.equal(cart.grand_total, 3);
      assert.equal(cart.notices.length, 1);
      assert.equal(cart.notices[0].product_id, withdrawn);
      assert.equal(cart.notices[0].code, 'product_unavailable');
      assert.match(cart.notices[0].message, /Old lamp/);
      assert.deepEqual((await getCart(token)).notices, []);
    });

    it('flags a line asking for more than the stock left, keeping it', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 5 });
      await addToCart(t, token, productId, 4);
      await setStock(t.db, productId, 1);
      const cart = await getCart(token);
      assert.equal(cart.items[0].quantity, 4);
      assert.deepEqual(
        cart.notices.map((n: { code: string; available: number }) => [n.code, n.available]),
        [['insufficient_stock', 1]],
      );
    });
  });
}
