import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { makeImage, upload } from './helpers/media.js';

/*
 * Seed 003's requests as its users send them (paths, methods, JSON field names), in the order of
 * its README: they must keep working unchanged now that products have variants. A product made the
 * seed way has one default variant and answers with the seed's fields and meanings.
 */
for (const dialect of testDialects()) {
  describe(`seed 003 requests replayed unchanged (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    it('register, login, refresh, catalog, offers, cart, checkout and images', async () => {
      const send = (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: object) =>
        t.request({ method, url, token, payload: payload as Record<string, unknown> });

      const registered = await send('POST', '/api/register', undefined, {
        username: 'rojan',
        password: 'secret-pass-1',
      });
      assert.equal(registered.statusCode, 201, registered.body);
      const login = await send('POST', '/api/login', undefined, {
        username: 'rojan',
        password: 'secret-pass-1',
      });
      assert.equal(login.statusCode, 200);
      const { access_token, refresh_token } = login.json();
      const refreshed = await send('POST', '/api/refresh', refresh_token);
      assert.equal(refreshed.statusCode, 200);
      const token = refreshed.json().access_token as string;
      const admin = await t.adminToken();

      const categories = await send('GET', '/api/categories');
      assert.equal(categories.statusCode, 200);
      assert.deepEqual(Object.keys(categories.json()[0]).sort(), ['id', 'name', 'product_count']);

      // ProductAPI.post: {name, price, stock, category_id}.
      const created = await send('POST', '/api/products', admin, {
        name: 'Headphones',
        price: 59.99,
        stock: 10,
        category_id: 1,
      });
      assert.equal(created.statusCode, 201, created.body);
      const product = created.json();
      assert.deepEqual(
        [
          product.name,
          product.price,
          product.current_price,
          product.stock,
          product.category_id,
          product.category.name,
        ],
        ['Headphones', 59.99, 59.99, 10, 1, 'Electronics'],
      );
      assert.deepEqual([product.is_on_offer, product.discount_amount, product.offer], [false, 0, null]);
      assert.equal(product.variants.length, 1, 'one default variant');

      const all = await send('GET', '/api/products');
      assert.equal(all.statusCode, 200);
      assert.deepEqual(all.json(), [product]);
      const byCategory = await send('GET', '/api/categories/1/products');
      assert.deepEqual(byCategory.json(), [product]);

      // OfferAPI.post and ApplyOfferAPI.post, then ActiveOffersAPI.get.
      const now = t.clock.now().getTime();
      const offer = await send('POST', '/api/offers', admin, {
        name: 'New Year',
        discount_percent: 20,
        start_time: new Date(now - 3_600_000).toISOString(),
        end_time: new Date(now + 3_600_000).toISOString(),
      });
      assert.equal(offer.statusCode, 201, offer.body);
      const applied = await send('POST', `/api/offers/${offer.json().id}/apply/${product.id}`, admin);
      assert.equal(applied.statusCode, 200);
      assert.equal(typeof applied.json().message, 'string');
      const active = (await send('GET', '/api/offers/active')).json();
      assert.deepEqual(
        active.map(
          (p: { id: number; current_price: number; discount_amount: number; is_on_offer: boolean }) => [
            p.id,
            p.current_price,
            p.discount_amount,
            p.is_on_offer,
          ],
        ),
        [[product.id, 47.99, 12, true]],
      );
      assert.deepEqual([active[0].offer.name, active[0].offer.discount_percent], ['New Year', 20]);

      // CartAPI.post {product_id, quantity}, CartAPI.get {items, grand_total}.
      const added = await send('POST', '/api/cart', access_token, { product_id: product.id, quantity: 2 });
      assert.equal(added.statusCode, 201, added.body);
      assert.equal(added.json().message, 'Added to cart');
      const cart = (await send('GET', '/api/cart', token)).json();
      assert.equal(cart.items.length, 1);
      assert.deepEqual(
        [
          cart.items[0].product_id,
          cart.items[0].quantity,
          cart.items[0].line_total,
          cart.items[0].product.name,
        ],
        [product.id, 2, 95.98, 'Headphones'],
      );
      assert.equal(cart.grand_total, 95.98);

      // CheckoutAPI.post → {message, total_paid}.
      const paid = await send('POST', '/api/checkout', token);
      assert.equal(paid.statusCode, 201, paid.body);
      assert.equal(paid.json().message, 'Checkout successful');
      assert.equal(paid.json().total_paid, 95.98);
      assert.equal((await send('GET', `/api/products/${product.id}`)).json().stock, 8);
      assert.deepEqual((await send('GET', '/api/cart', token)).json().items, []);

      // The uploads conversation: the product image, set, read and removed.
      const png = await makeImage('png', 64, 64);
      const image = await upload(t, `/api/products/${product.id}/image`, admin, png);
      assert.equal(image.statusCode, 200, image.body);
      assert.match(image.json().product.image_url, /^\/media\//);
      const withImage = await send('GET', `/api/products/${product.id}/image`);
      assert.equal(withImage.statusCode, 200);
      assert.equal(withImage.json().image_url, image.json().product.image_url);
      const removed = await send('DELETE', `/api/products/${product.id}/image`, admin);
      assert.equal(removed.statusCode, 200);
      assert.equal(removed.json().product.image_url, null);
    });
  });
}
