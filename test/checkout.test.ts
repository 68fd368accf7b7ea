import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import {
  addToCart,
  checkout,
  countOrders,
  insertOffer,
  insertProduct,
  insertSerializedProduct,
  stockOf,
} from './helpers/orders.js';
import { defaultVariantId, setStock } from './helpers/variants.js';

const DAY = 86_400_000;

for (const dialect of testDialects()) {
  describe(`checkout (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    const cartOf = async (token: string) =>
      (await t.request({ method: 'GET', url: '/api/cart', token })).json();

    it('needs a signed-in user, and refuses an empty cart with 400', async () => {
      assert.equal((await t.request({ method: 'POST', url: '/api/checkout' })).statusCode, 401);
      const { token } = await t.customer();
      const res = await checkout(t, token);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'bad_request');
      assert.match(res.json().detail, /empty/);
    });

    it('buys the cart: 201 with the order, stock taken, cart emptied', async () => {
      const { id: userId, token } = await t.customer();
      const mug = await insertProduct(t, { name: 'Mug', price_cents: 1250, stock: 10 });
      const pen = await insertProduct(t, { name: 'Pen', price_cents: 199, stock: 3 });
      await addToCart(t, token, mug, 2);
      await addToCart(t, token, pen, 3);
      const res = await checkout(t, token, { payload: { shipping_address: '1 Main St' } });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      assert.equal(body.message, 'Checkout successful');
      assert.equal(body.total_paid, 30.97);
      const order = body.order;
      assert.equal(order.user_id, userId);
      assert.equal(order.status, 'pending');
      assert.equal(order.total, 30.97);
      assert.equal(order.shipping_address, '1 Main St');
      assert.equal(order.created_at, t.clock.now().toISOString());
      assert.equal(Date.parse(order.estimated_delivery_date) - Date.parse(order.created_at), 7 * DAY);
      assert.equal(order.shipped_at, null);
      assert.equal(order.delivered_at, null);
      assert.equal(order.cancelled_at, null);
      assert.deepEqual(
        order.items.map(({ id: _id, ...item }: { id: number }) => item),
        [
          {
            product_id: mug,
            variant_id: await defaultVariantId(t.db, mug),
            sku: null,
            product_name: 'Mug',
            variant_title: 'Default',
            unit_price: 12.5,
            original_unit_price: 12.5,
            offer_name: null,
            quantity: 2,
            line_total: 25,
            serial_numbers: [],
          },
          {
            product_id: pen,
            variant_id: await defaultVariantId(t.db, pen),
            sku: null,
            product_name: 'Pen',
            variant_title: 'Default',
            unit_price: 1.99,
            original_unit_price: 1.99,
            offer_name: null,
            quantity: 3,
            line_total: 5.97,
            serial_numbers: [],
          },
        ],
      );
      assert.equal(await stockOf(t.db, mug), 8);
      assert.equal(await stockOf(t.db, pen), 0);
      assert.deepEqual((await cartOf(token)).items, []);
    });

    it('charges 3 × 0.10 as exactly 0.30', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { price_cents: 10, stock: 3 });
      await addToCart(t, token, productId, 3);
      const res = await checkout(t, token);
      assert.equal(res.statusCode, 201);
      assert.equal(res.json().total_paid, 0.3);
      assert.equal(res.json().order.items[0].line_total, 0.3);
    });

    it('ships to the profile address unless the body names one', async () => {
      const { token } = await t.customer();
      const patched = await t.request({
        method: 'PATCH',
        url: '/api/users/me',
        token,
        payload: { address: '9 Elm Road' },
      });
      assert.equal(patched.statusCode, 200);
      const productId = await insertProduct(t);
      await addToCart(t, token, productId);
      const res = await checkout(t, token);
      assert.equal(res.statusCode, 201);
      assert.equal(res.json().order.shipping_address, '9 Elm Road');
    });

    it('charges the price at checkout: an offer that ended after the add no longer applies', async () => {
      const { token } = await t.customer();
      const start = t.clock.now().getTime();
      const offerId = await insertOffer(t.db, {
        name: 'Flash',
        discount_bp: 2000,
        start_time: new Date(start - DAY).toISOString(),
        end_time: new Date(start + 60_000).toISOString(),
      });
      const productId = await insertProduct(t, { price_cents: 5000, stock: 5, offer_id: offerId });
      await addToCart(t, token, productId, 2);
      assert.equal((await cartOf(token)).grand_total, 80);
      t.clock.advance(60_000); // the offer ends exactly now: its end is exclusive
      const res = await checkout(t, token);
      assert.equal(res.statusCode, 201);
      assert.equal(res.json().total_paid, 100);
      const [item] = res.json().order.items;
      assert.equal(item.unit_price, 50);
      assert.equal(item.original_unit_price, 50);
      assert.equal(item.offer_name, null);
    });

    it('snapshots an offer active at checkout: unit price, list price and offer name', async () => {
      const { token } = await t.customer();
      const now = t.clock.now().getTime();
      const offerId = await insertOffer(t.db, {
        name: 'Winter',
        discount_bp: 1000,
        start_time: new Date(now - DAY).toISOString(),
        end_time: new Date(now + DAY).toISOString(),
      });
      const productId = await insertProduct(t, { price_cents: 165, stock: 5, offer_id: offerId });
      await addToCart(t, token, productId, 4);
      const res = await checkout(t, token);
      const [item] = res.json().order.items;
      // 1.65 at 10% = 1.485 → 1.49 (half-up, never half-to-even).
      assert.equal(item.unit_price, 1.49);
      assert.equal(item.original_unit_price, 1.65);
      assert.equal(item.offer_name, 'Winter');
      assert.equal(item.line_total, 5.96);
      assert.equal(res.json().total_paid, 5.96);
    });

    it('refuses the whole checkout when any line is short, naming every short line', async () => {
      const { token } = await t.customer();
      const plenty = await insertProduct(t, { name: 'Plenty', stock: 50 });
      const few = await insertProduct(t, { name: 'Few', stock: 5 });
      const gone = await insertProduct(t, { name: 'Gone', stock: 5 });
      await addToCart(t, token, plenty, 2);
      await addToCart(t, token, few, 4);
      await addToCart(t, token, gone, 1);
      await setStock(t.db, few, 1);
      await setStock(t.db, gone, 0);
      const ordersBefore = await countOrders(t.db);

      const res = await checkout(t, token);
      assert.equal(res.statusCode, 409);
      const problem = res.json();
      assert.equal(problem.code, 'insufficient_stock');
      assert.deepEqual(problem.items, [
        {
          product_id: few,
          variant_id: await defaultVariantId(t.db, few),
          product_name: 'Few',
          variant_title: 'Default',
          requested: 4,
          available: 1,
        },
        {
          product_id: gone,
          variant_id: await defaultVariantId(t.db, gone),
          product_name: 'Gone',
          variant_title: 'Default',
          requested: 1,
          available: 0,
        },
      ]);
      // Nothing changed: the plentiful line's stock came back with the rollback.
      assert.equal(await stockOf(t.db, plenty), 50);
      assert.equal(await stockOf(t.db, few), 1);
      assert.equal(await countOrders(t.db), ordersBefore);
      assert.equal((await cartOf(token)).items.length, 3);
    });

    it('treats an archived product in the cart as unavailable (409, available 0)', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 5 });
      await addToCart(t, token, productId, 1);
      await t.db
        .updateTable('products')
        .set({ archived_at: t.clock.now().toISOString() })
        .where('id', '=', productId)
        .execute();
      const res = await checkout(t, token);
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().items[0].available, 0);
      assert.equal(await stockOf(t.db, productId), 5);
    });

    it('allocates specific serialized units to the line, marks them sold and takes the stock', async () => {
      const { token } = await t.customer();
      const { id, serials } = await insertSerializedProduct(t, 3, { name: 'Camera', price_cents: 49_900 });
      await addToCart(t, token, id, 2);
      const res = await checkout(t, token);
      assert.equal(res.statusCode, 201, res.body);
      const [item] = res.json().order.items;
      assert.equal(item.serial_numbers.length, 2);
      assert.equal(new Set(item.serial_numbers).size, 2);
      for (const serial of item.serial_numbers) assert.ok(serials.includes(serial));
      const sold = await t.db
        .selectFrom('units')
        .select(['serial_number', 'status', 'order_item_id', 'sold_at'])
        .where('product_id', '=', id)
        .where('status', '=', 'sold')
        .execute();
      assert.deepEqual(sold.map((u) => u.serial_number).sort(), [...item.serial_numbers].sort());
      for (const unit of sold) {
        assert.equal(unit.order_item_id, item.id);
        assert.equal(unit.sold_at, t.clock.now().toISOString());
      }
      assert.equal(await stockOf(t.db, id), 1);
    });

    it('buys a cart once when two checkouts of it arrive together (no key): the other finds it empty', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 10 });
      await addToCart(t, token, productId, 2);
      const ordersBefore = await countOrders(t.db);
      const responses = await Promise.all([checkout(t, token), checkout(t, token)]);
      assert.deepEqual(responses.map((r) => r.statusCode).sort(), [201, 400]);
      assert.equal(await countOrders(t.db), ordersBefore + 1);
      assert.equal(await stockOf(t.db, productId), 8);
    });

    it('validates the body and the Idempotency-Key header', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t);
      await addToCart(t, token, productId);
      const ordersBefore = await countOrders(t.db);
      for (const payload of [{ total: 0 }, { shipping_address: 42 }, { shipping_address: '' }]) {
        const res = await checkout(t, token, { payload });
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
      }
      const longKey = await checkout(t, token, { key: 'k'.repeat(256) });
      assert.equal(longKey.statusCode, 400);
      assert.equal(await countOrders(t.db), ordersBefore);
      assert.equal((await cartOf(token)).items.length, 1);
    });

    it('keeps orders immune to later price, name and offer changes and to the product being deleted', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { name: 'Lamp', price_cents: 2500, stock: 5 });
      await addToCart(t, token, productId, 2);
      const placed = (await checkout(t, token)).json().order;
      await t.db.updateTable('products').set({ name: 'Renamed lamp' }).where('id', '=', productId).execute();
      await t.db
        .updateTable('product_variants')
        .set({ price_cents: 9900 })
        .where('product_id', '=', productId)
        .execute();
      // The catalog's delete rule: a product named by an order is archived, never removed.
      const admin = await t.adminToken();
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/api/products/${productId}`, token: admin })).statusCode,
        204,
      );
      assert.equal(
        (await t.request({ method: 'GET', url: `/api/products/${productId}`, token })).statusCode,
        404,
      );
      const res = await t.request({ method: 'GET', url: `/api/orders/${placed.id}`, token });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), placed);
    });
  });

  describe(`checkout idempotency (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    it('answers a retry with the same key with 200 and the first order, creating nothing', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 10 });
      await addToCart(t, token, productId, 3);
      const first = await checkout(t, token, { key: 'order-1' });
      assert.equal(first.statusCode, 201);
      const ordersAfterFirst = await countOrders(t.db);
      const retry = await checkout(t, token, { key: 'order-1' });
      assert.equal(retry.statusCode, 200);
      assert.deepEqual(retry.json(), first.json());
      assert.equal(await countOrders(t.db), ordersAfterFirst);
      assert.equal(await stockOf(t.db, productId), 7);
    });

    it('refuses the key bound to a different cart or body with 409 idempotency_key_reused', async () => {
      const { token } = await t.customer();
      const a = await insertProduct(t, { stock: 10 });
      await addToCart(t, token, a, 1);
      assert.equal(
        (await checkout(t, token, { key: 'k1', payload: { shipping_address: 'Here' } })).statusCode,
        201,
      );
      const otherBody = await checkout(t, token, { key: 'k1', payload: { shipping_address: 'There' } });
      assert.equal(otherBody.statusCode, 409);
      assert.equal(otherBody.json().code, 'idempotency_key_reused');
      await addToCart(t, token, a, 2);
      const ordersBefore = await countOrders(t.db);
      const otherCart = await checkout(t, token, { key: 'k1', payload: { shipping_address: 'Here' } });
      assert.equal(otherCart.statusCode, 409);
      assert.equal(otherCart.json().code, 'idempotency_key_reused');
      assert.equal(await countOrders(t.db), ordersBefore);
      assert.equal(await stockOf(t.db, a), 9);
      assert.equal((await checkout(t, token, { key: 'k2' })).statusCode, 201);
    });

    it('scopes keys per user', async () => {
      const alice = await t.customer();
      const bob = await t.customer();
      const productId = await insertProduct(t, { stock: 10 });
      await addToCart(t, alice.token, productId);
      await addToCart(t, bob.token, productId);
      const a = await checkout(t, alice.token, { key: 'shared' });
      const b = await checkout(t, bob.token, { key: 'shared' });
      assert.equal(a.statusCode, 201);
      assert.equal(b.statusCode, 201);
      assert.notEqual(a.json().order.id, b.json().order.id);
    });

    it('creates one order from simultaneous requests with one key', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 10 });
      await addToCart(t, token, productId, 2);
      const ordersBefore = await countOrders(t.db);
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => checkout(t, token, { key: 'double-click' })),
      );
      const statuses = responses.map((r) => r.statusCode).sort();
      assert.deepEqual(statuses, [200, 200, 200, 200, 201]);
      assert.equal(new Set(responses.map((r) => r.json().order.id)).size, 1);
      assert.equal(await countOrders(t.db), ordersBefore + 1);
      assert.equal(await stockOf(t.db, productId), 8);
    });

    it('does not spend a key on a failed checkout', async () => {
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 2 });
      await addToCart(t, token, productId, 2);
      await setStock(t.db, productId, 1);
      assert.equal((await checkout(t, token, { key: 'try' })).statusCode, 409);
      await setStock(t.db, productId, 2);
      assert.equal((await checkout(t, token, { key: 'try' })).statusCode, 201);
    });

    it('lets a key be used again once it expired after 24 hours', async () => {
      const user = await t.customer();
      // Access tokens last minutes: sign in again after travelling in time.
      const login = async () =>
        (
          await t.request({
            method: 'POST',
            url: '/api/login',
            payload: { username: user.username, password: user.password },
          })
        ).json().access_token as string;
      const productId = await insertProduct(t, { stock: 10 });
      await addToCart(t, user.token, productId);
      const first = await checkout(t, user.token, { key: 'daily' });
      assert.equal(first.statusCode, 201);
      t.clock.advance(DAY - 1);
      let token = await login();
      assert.equal((await checkout(t, token, { key: 'daily' })).statusCode, 200);
      t.clock.advance(1);
      token = await login();
      await addToCart(t, token, productId, 4);
      const again = await checkout(t, token, { key: 'daily' });
      assert.equal(again.statusCode, 201);
      assert.notEqual(again.json().order.id, first.json().order.id);
      assert.equal(again.json().order.items[0].quantity, 4);
    });
  });
}
