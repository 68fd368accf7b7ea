import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadVariantPricingRows } from '../src/modules/products/variants.repository.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';
import { defaultLine } from './helpers/variants.js';

const PRODUCT_KEYS = [
  'id',
  'name',
  'description',
  'price',
  'current_price',
  'is_on_offer',
  'discount_amount',
  'offer',
  'stock',
  'in_stock',
  'category_id',
  'category',
  'image_url',
  'images',
  'serialized',
  'options',
  'variants',
  'created_at',
  'updated_at',
];

for (const dialect of testDialects()) {
  describe(`catalog products (${dialect})`, () => {
    let t: TestApp;
    let c: ReturnType<typeof catalog>;
    before(async () => {
      t = await buildTestApp(dialect);
      c = catalog(t);
    });
    after(() => t.close());

    it('creates a product (201) with exactly the documented fields', async () => {
      const product = await c.product({
        name: 'Desk lamp',
        description: 'Warm light',
        price: 19.99,
        stock: 3,
      });
      assert.deepEqual(Object.keys(product).sort(), [...PRODUCT_KEYS].sort());
      assert.equal(product.price, 19.99);
      assert.equal(product.current_price, 19.99);
      assert.equal(product.discount_amount, 0);
      assert.equal(product.is_on_offer, false);
      assert.equal(product.offer, null);
      assert.equal(product.in_stock, true);
      assert.deepEqual(product.category, { id: 1, name: 'Electronics' });
      assert.equal(product.image_url, null);
      assert.deepEqual(product.images, []);
      assert.equal(product.serialized, false);
      // Made the seed way: one default variant carrying the price and stock, no options.
      assert.deepEqual(product.options, []);
      assert.deepEqual(product.variants, [
        {
          id: product.variants[0].id,
          product_id: product.id,
          sku: null,
          title: 'Default',
          option_values: {},
          price: 19.99,
          current_price: 19.99,
          is_on_offer: false,
          stock: 3,
          in_stock: true,
          serialized: false,
          archived: false,
        },
      ]);
      assert.match(product.created_at, /Z$/);
      const read = await c.get(`/api/products/${product.id}`);
      assert.equal(read.statusCode, 200);
      assert.deepEqual(read.json(), product);
    });

    it('keeps money exact: 0.1, 19.99 and 99999999.99 read back unchanged', async () => {
      for (const price of [0.1, 0.29, 19.99, 99999999.99, 0]) {
        const product = await c.product({ price });
        assert.equal(product.price, price);
        const row = await t.db
          .selectFrom('products')
          .select('price_cents')
          .where('id', '=', product.id)
          .executeTakeFirstOrThrow();
        assert.equal(row.price_cents, Math.round(price * 100));
      }
    });

    it('refuses 10.999, -1, "12", 1e309 and 100000000 as a price with 400', async () => {
      for (const price of ['10.999', '-1', '"12"', '1e309', '100000000', 'null']) {
        const res = await t.request({
          method: 'POST',
          url: '/api/products',
          token: await t.adminToken(),
          headers: { 'content-type': 'application/json' },
          payload: `{"name":"Bad","price":${price},"category_id":1}`,
        });
        assert.equal(res.statusCode, 400, `price ${price}: ${res.body}`);
        assert.equal(res.json().code, 'validation_failed');
      }
    });

    it('refuses an unknown category_id and unknown fields with 400', async () => {
      const unknown = await c.admin('POST', '/api/products', { name: 'X', price: 1, category_id: 9999 });
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.json().detail, /category/);
      const extra = await c.admin('POST', '/api/products', { name: 'X', price: 1, category_id: 1, id: 7 });
      assert.equal(extra.statusCode, 400);
      assert.equal(extra.json().errors[0].path, '/id');
      const patch = await c.admin('PATCH', `/api/products/${(await c.product()).id}`, { category_id: 9999 });
      assert.equal(patch.statusCode, 400);
    });

    it('PATCH and PUT are partial updates', async () => {
      const product = await c.product({ name: 'Kettle', description: 'Boils', price: 30, stock: 2 });
      const put = await c.admin('PUT', `/api/products/${product.id}`, { price: 25.5 });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().price, 25.5);
      assert.equal(put.json().name, 'Kettle');
      assert.equal(put.json().description, 'Boils');
      assert.equal(put.json().stock, 2);
      const patch = await c.admin('PATCH', `/api/products/${product.id}`, { stock: 0, category_id: 2 });
      assert.equal(patch.json().stock, 0);
      assert.equal(patch.json().in_stock, false);
      assert.deepEqual(patch.json().category, { id: 2, name: 'Fashion' });
      assert.equal(patch.json().price, 25.5);
      assert.equal((await c.admin('PATCH', '/api/products/99999', { stock: 1 })).statusCode, 404);
    });

    it('attaches and detaches an offer with offer_id', async () => {
      const product = await c.product({ price: 19.99 });
      const offer = await c.offer({ discount_percent: 15 });
      const on = await c.admin('PATCH', `/api/products/${product.id}`, { offer_id: offer.id });
      assert.equal(on.json().current_price, 16.99);
      assert.equal(on.json().discount_amount, 3);
      assert.equal(on.json().offer.id, offer.id);
      const off = await c.admin('PATCH', `/api/products/${product.id}`, { offer_id: null });
      assert.equal(off.json().offer, null);
      assert.equal(off.json().current_price, 19.99);
      assert.equal(
        (await c.admin('PATCH', `/api/products/${product.id}`, { offer_id: 9999 })).statusCode,
        400,
      );
    });

    it('a customer gets 403 on every admin product route, anonymous 401', async () => {
      const { token } = await t.customer();
      const product = await c.product();
      const routes: [string, string, unknown][] = [
        ['POST', '/api/products', { name: 'X', price: 1, category_id: 1 }],
        ['PATCH', `/api/products/${product.id}`, { price: 1 }],
        ['PUT', `/api/products/${product.id}`, { price: 1 }],
        ['DELETE', `/api/products/${product.id}`, undefined],
      ];
      for (const [method, url, payload] of routes) {
        const res = await t.request({ method: method as 'POST', url, payload: payload as object, token });
        assert.equal(res.statusCode, 403, `${method} ${url}`);
        const anon = await t.request({ method: method as 'POST', url, payload: payload as object });
        assert.equal(anon.statusCode, 401, `${method} ${url}`);
      }
      assert.equal((await c.get(`/api/products/${product.id}`)).json().price, 10);
    });

    it('deletes an unordered product outright (204, then 404)', async () => {
      const product = await c.product();
      assert.equal((await c.admin('DELETE', `/api/products/${product.id}`)).statusCode, 204);
      assert.equal((await c.get(`/api/products/${product.id}`)).statusCode, 404);
      const row = await t.db
        .selectFrom('products')
        .select('id')
        .where('id', '=', product.id)
        .executeTakeFirst();
      assert.equal(row, undefined);
      assert.equal((await c.admin('DELETE', `/api/products/${product.id}`)).statusCode, 404);
    });

    it('archives a product that orders name: 404 and unlisted for customers, visible to admins', async () => {
      const product = await c.product({ name: 'Archived gadget' });
      const { id: userId } = await t.customer();
      const now = t.clock.now().toISOString();
      const order = await t.db
        .insertInto('orders')
        .values({
          user_id: userId,
          status: 'pending',
          total_cents: 1000,
          estimated_delivery_date: now,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('order_items')
        .values({
          order_id: order.id,
          product_id: product.id,
          ...(await defaultLine(t.db, product.id)),
          product_name: product.name,
          unit_price_cents: 1000,
          original_unit_price_cents: 1000,
          quantity: 1,
          line_total_cents: 1000,
        })
        .execute();
      assert.equal((await c.admin('DELETE', `/api/products/${product.id}`)).statusCode, 204);
      assert.equal((await c.get(`/api/products/${product.id}`)).statusCode, 404);
      const { token } = await t.customer();
      const asCustomer = await t.request({ method: 'GET', url: `/api/products/${product.id}`, token });
      assert.equal(asCustomer.statusCode, 404);
      const asAdmin = await t.request({
        method: 'GET',
        url: `/api/products/${product.id}`,
        token: await t.adminToken(),
      });
      assert.equal(asAdmin.statusCode, 200);
      assert.equal(asAdmin.json().name, 'Archived gadget');
      const listed = await c.get('/api/products?q=archived&limit=100');
      assert.deepEqual(listed.json(), []);
      const row = await t.db
        .selectFrom('products')
        .select('archived_at')
        .where('id', '=', product.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.archived_at, now);
    });

    it('returns images ordered by position, the first as image_url', async () => {
      const product = await c.product();
      const now = t.clock.now().toISOString();
      const media = async (n: number) =>
        (
          await t.db
            .insertInto('media')
            .values({
              storage_key: `ab/${String(n).padStart(32, '0')}.webp`,
              thumbnail_key: `ab/${String(n).padStart(32, '0')}-thumb.webp`,
              content_type: 'image/webp',
              width: 1,
              height: 1,
              bytes: 1,
              created_at: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      const second = await media(2);
      const first = await media(1);
      await t.db
        .insertInto('product_images')
        .values([
          { product_id: product.id, media_id: second, position: 1, created_at: now },
          { product_id: product.id, media_id: first, position: 0, created_at: now },
        ])
        .execute();
      const read = (await c.get(`/api/products/${product.id}`)).json();
      assert.equal(read.image_url, `/media/ab/${'0'.repeat(31)}1.webp`);
      assert.deepEqual(
        read.images.map((i: { url: string; thumbnail_url: string }) => [i.url, i.thumbnail_url]),
        [
          [`/media/ab/${'0'.repeat(31)}1.webp`, `/media/ab/${'0'.repeat(31)}1-thumb.webp`],
          [`/media/ab/${'0'.repeat(31)}2.webp`, `/media/ab/${'0'.repeat(31)}2-thumb.webp`],
        ],
      );
      const inList = (await c.get(`/api/products?limit=100`))
        .json()
        .find((p: { id: number }) => p.id === product.id);
      assert.deepEqual(inList.images, read.images);
    });

    it('loads a page of products with their images and variants in three queries, whatever the page size', async () => {
      const now = t.clock.now().toISOString();
      const ids: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const product = await c.product({ name: `Imaged ${i}` });
        ids.push(product.id);
        const media = await t.db
          .insertInto('media')
          .values({
            storage_key: `cd/${String(100 + i).padStart(32, '0')}.png`,
            thumbnail_key: `cd/${String(100 + i).padStart(32, '0')}-thumb.webp`,
            content_type: 'image/png',
            width: 1,
            height: 1,
            bytes: 1,
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await t.db
          .insertInto('product_images')
          .values({ product_id: product.id, media_id: media.id, position: 0, created_at: now })
          .execute();
      }
      let queries = 0;
      const counting = t.db.withPlugin({
        transformQuery: (args) => {
          queries += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const many = await t.app.services.products.getMany(counting, ids);
      assert.equal(many.size, 6);
      assert.equal(queries, 3, 'products, images, variants (options only when a variant has option values)');
      for (const id of ids) assert.match(String(many.get(id)?.image_url), /^\/media\/cd\//);
    });

    it('exposes getMany and loadVariantPricingRows for cart and checkout', async () => {
      const product = await c.product({ price: 19.99 });
      const offer = await c.offer({ discount_percent: 15 });
      await c.apply(offer.id, product.id);
      const many = await t.app.services.products.getMany(t.db, [product.id, 999999]);
      assert.equal(many.size, 1);
      assert.equal(many.get(product.id)?.current_price, 16.99);
      const variantId = product.variants[0].id;
      const row = (await loadVariantPricingRows(t.db, [variantId])).get(variantId);
      assert.equal(row?.price_cents, 1999);
      assert.equal(row?.product_id, product.id);
      assert.equal(row?.offer?.discount_bp, 1500);
      assert.equal(row?.serialized, false);
      assert.equal(row?.title, 'Default');
    });
  });
}
