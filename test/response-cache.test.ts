import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { changeTrackerOf } from '../src/plugins/catalog-cache/index.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog, catalogSettled } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';
import { writeBehindTheAppsBack } from './helpers/outside-write.js';
import { defaultLine } from './helpers/variants.js';

const decode = (body: Buffer, coding: 'br' | 'gzip') =>
  String(coding === 'br' ? brotliDecompressSync(body) : gunzipSync(body));

for (const dialect of testDialects()) {
  describe(`response cache (${dialect})`, () => {
    let t: TestApp;
    let shop: ReturnType<typeof catalog>;
    before(async () => {
      t = await buildTestApp(dialect, { file: true });
      shop = catalog(t);
    });
    after(() => t.close());

    const priceOf = async (id: number) => (await shop.get(`/api/products/${id}`)).json().current_price;

    it('shows an admin write on the very next read', async () => {
      const product = await shop.product({ name: 'Cached lamp', price: 20 });
      assert.equal(await priceOf(product.id), 20);
      assert.equal(await priceOf(product.id), 20); // now cached
      const listed = await shop.get('/api/products?q=cached');
      assert.equal(listed.json()[0].price, 20);
      await shop.admin('PATCH', `/api/products/${product.id}`, { price: 25 });
      assert.equal(await priceOf(product.id), 25);
      assert.equal((await shop.get('/api/products?q=cached')).json()[0].price, 25);
    });

    it('shows a checkout’s stock change on the next read', async () => {
      const product = await shop.product({ name: 'Cached mug', price: 5, stock: 3 });
      assert.equal((await shop.get(`/api/products/${product.id}`)).json().stock, 3);
      const buyer = await t.customer('cachebuyer');
      await t.request({
        method: 'POST',
        url: '/api/cart',
        token: buyer.token,
        payload: { product_id: product.id, quantity: 2 },
      });
      const order = await t.request({ method: 'POST', url: '/api/checkout', token: buyer.token });
      assert.equal(order.statusCode, 201, order.body);
      assert.equal((await shop.get(`/api/products/${product.id}`)).json().stock, 1);
    });

    it('sees a write committed by another process', async () => {
      const product = await shop.product({ name: 'Cached kettle', price: 30 });
      assert.equal(await priceOf(product.id), 30);
      await writeBehindTheAppsBack(t, `update products set price_cents = 3500 where id = ${product.id}`);
      // PostgreSQL tells us through NOTIFY (delivered asynchronously, within milliseconds).
      let price = await priceOf(product.id);
      for (let i = 0; i < 50 && price !== 35; i++) {
        await sleep(20);
        price = await priceOf(product.id);
      }
      assert.equal(price, 35);
    });

    it('reprices when an offer starts or ends, with no write at all', async () => {
      const product = await shop.product({ name: 'Cached chair', price: 100 });
      const now = t.clock.now().getTime();
      const offer = await shop.offer({
        name: 'Later sale',
        discount_percent: 10,
        start_time: new Date(now + 60 * 60_000).toISOString(),
        end_time: new Date(now + 2 * 60 * 60_000).toISOString(),
      });
      await shop.apply(offer.id, product.id);
      assert.equal(await priceOf(product.id), 100);
      assert.equal(await priceOf(product.id), 100);
      t.clock.advance(60 * 60_000);
      assert.equal(await priceOf(product.id), 90);
      t.clock.advance(60 * 60_000);
      assert.equal(await priceOf(product.id), 100);
      t.clock.advance(-2 * 60 * 60_000); // back, so the cached admin token is fresh again
    });

    it('never serves an anonymous cached page to an admin, who sees archived products', async () => {
      const product = await shop.product({ name: 'Cached sofa', price: 300 });
      await shop.get(`/api/products/${product.id}`);
      await t.db
        .insertInto('orders')
        .values({
          user_id: null,
          status: 'pending',
          total_cents: 0,
          shipping_address: null,
          estimated_delivery_date: t.clock.now().toISOString(),
          created_at: t.clock.now().toISOString(),
          shipped_at: null,
          delivered_at: null,
          cancelled_at: null,
        })
        .execute();
      const orderId = (
        await t.db.selectFrom('orders').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
      ).id;
      await t.db
        .insertInto('order_items')
        .values({
          order_id: orderId,
          product_id: product.id,
          ...(await defaultLine(t.db, product.id)),
          product_name: 'Cached sofa',
          unit_price_cents: 30000,
          original_unit_price_cents: 30000,
          offer_name: null,
          quantity: 1,
          line_total_cents: 30000,
        })
        .execute();
      assert.equal((await shop.admin('DELETE', `/api/products/${product.id}`)).statusCode, 204);
      assert.equal((await shop.get(`/api/products/${product.id}`)).statusCode, 404);
      const asAdmin = await t.request({
        method: 'GET',
        url: `/api/products/${product.id}`,
        token: await t.adminToken(),
      });
      assert.equal(asAdmin.statusCode, 200);
      assert.equal(asAdmin.headers['cache-control'], 'private, no-cache');
    });

    it('answers If-None-Match from the cache with 304', async () => {
      const product = await shop.product({ name: 'Cached rug', price: 40 });
      const first = await shop.get(`/api/products/${product.id}`);
      const second = await shop.get(`/api/products/${product.id}`);
      assert.equal(second.headers.etag, first.headers.etag);
      const revalidated = await shop.get(`/api/products/${product.id}`, {
        'if-none-match': String(first.headers.etag),
      });
      assert.equal(revalidated.statusCode, 304);
      assert.equal(revalidated.body, '');
    });

    it('answers a repeated anonymous read from memory, running no SQL at all', async () => {
      const product = await shop.product({ name: 'Cached vase', price: 12 });
      const url = `/api/products?category_id=1&limit=5`;
      for (const path of [`/api/products/${product.id}`, url, '/api/categories']) {
        const first = await shop.get(path);
        assert.equal(first.headers['x-cache'], 'miss', path);
        // PostgreSQL delivers the NOTIFY of the fixture's own writes asynchronously, which may
        // retire the first entry: read until one is stored with nothing more to arrive.
        for (let i = 0; i < 50 && (await shop.get(path)).headers['x-cache'] !== 'hit'; i++) await sleep(20);
        const tracker = changeTrackerOf(t.db);
        const statements = tracker.statements;
        const second = await shop.get(path);
        assert.equal(second.headers['x-cache'], 'hit', path);
        assert.equal(tracker.statements, statements, `${path}: a hit runs no statement`);
        assert.equal(second.body, first.body);
        assert.equal(second.headers['x-total-count'], first.headers['x-total-count']);
      }
      // An admin (who sees archived products) is never served from the cache.
      const signedIn = await t.request({ method: 'GET', url, token: await t.adminToken() });
      assert.equal(signedIn.headers['x-cache'], undefined);
    });

    it('serves a signed-in customer the catalog an anonymous visitor sees, from the same entries', async () => {
      const product = await shop.product({ name: 'Shared stool', price: 15 });
      const { token } = await t.customer('browser');
      const url = `/api/products/${product.id}`;
      const asCustomer = () => t.request({ method: 'GET', url, token });
      // Stored by the customer's read, served to an anonymous one, and back.
      const first = await asCustomer();
      assert.equal(first.headers['x-cache'], 'miss');
      // PostgreSQL's NOTIFY of the fixture's own writes arrives late on a loaded machine.
      await catalogSettled(t);
      for (let i = 0; i < 50 && (await shop.get(url)).headers['x-cache'] !== 'hit'; i++) await sleep(20);
      const tracker = changeTrackerOf(t.db);
      const statements = tracker.statements;
      const anonymous = await shop.get(url);
      const customer = await asCustomer();
      assert.equal(tracker.statements, statements, 'two hits run no statement');
      assert.deepEqual([anonymous.headers['x-cache'], customer.headers['x-cache']], ['hit', 'hit']);
      assert.equal(customer.body, first.body);
      assert.equal(anonymous.body, first.body);
      // A shared cache may keep the anonymous answer for a while, never the signed-in one.
      assert.equal(anonymous.headers['cache-control'], 'public, max-age=0, s-maxage=30');
      assert.equal(customer.headers['cache-control'], 'private, no-cache');
      // A bad token is refused as before, cached page or not.
      const forged = await t.request({
        method: 'GET',
        url,
        headers: { authorization: 'Bearer not-a-token' },
      });
      assert.equal(forged.statusCode, 401);
      // An admin's read neither comes from the entries nor replaces them.
      const admin = await t.request({ method: 'GET', url, token: await t.adminToken() });
      assert.equal(admin.headers['x-cache'], undefined);
      assert.equal((await asCustomer()).headers['x-cache'], 'hit');
    });

    it('keeps compressed forms: a hit sends br or gzip without compressing again', async () => {
      for (let i = 0; i < 5; i++) await shop.product({ name: `Cached plate ${i}`, price: 3 });
      const url = '/api/products?q=plate';
      const identity = await shop.get(url);
      assert.ok(Buffer.byteLength(identity.body) > 1024);
      // As above: the fixture's own NOTIFYs (PostgreSQL) may retire the first entry; settle first.
      for (let i = 0; i < 50 && (await shop.get(url)).headers['x-cache'] !== 'hit'; i++) await sleep(20);
      for (const coding of ['br', 'gzip'] as const) {
        const hit = await shop.get(url, { 'accept-encoding': coding });
        assert.equal(hit.headers['x-cache'], 'hit');
        assert.equal(hit.headers['content-encoding'], coding);
        assert.equal(hit.headers.etag, String(identity.headers.etag).replace(/"$/, `-${coding}"`));
        assert.equal(decode(hit.rawPayload, coding), identity.body);
        const again = await shop.get(url, { 'accept-encoding': coding });
        assert.deepEqual(again.rawPayload, hit.rawPayload);
        const revalidated = await shop.get(url, {
          'accept-encoding': coding,
          'if-none-match': String(hit.headers.etag),
        });
        assert.equal(revalidated.statusCode, 304);
        assert.equal(revalidated.headers.etag, hit.headers.etag);
      }
    });
  });
}
