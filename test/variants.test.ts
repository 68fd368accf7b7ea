import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';

interface VariantJson {
  id: number;
  sku: string | null;
  title: string;
  option_values: Record<string, string>;
  price: number;
  current_price: number;
  stock: number;
  archived: boolean;
  serialized: boolean;
}

const JACKET = {
  name: 'Trail Jacket',
  price: 80,
  category_id: 2,
  options: [
    { name: 'Color', values: ['Red', 'Blue'] },
    { name: 'Size', values: ['S', 'M'] },
  ],
  variants: [
    { sku: 'TJ-RED-S', option_values: { Color: 'Red', Size: 'S' }, stock: 3 },
    { sku: 'TJ-RED-M', option_values: { Color: 'Red', Size: 'M' }, stock: 5, price: 85 },
    { sku: 'TJ-BLUE-S', option_values: { Color: 'Blue', Size: 'S' }, stock: 0, price: 75 },
    { option_values: { Color: 'Blue', Size: 'M' }, stock: 2 },
  ],
};

for (const dialect of testDialects()) {
  describe(`variants and options (${dialect})`, () => {
    let t: TestApp;
    let c: ReturnType<typeof catalog>;
    let sku = 0;
    before(async () => {
      t = await buildTestApp(dialect);
      c = catalog(t);
    });
    after(() => t.close());

    /** A product with options: no product-level stock (the helper's default of 5 is dropped). */
    const withOptions = (fields: Record<string, unknown>) => c.product({ stock: undefined, ...fields });
    /** The jacket with SKUs unique to this call (SKUs are unique store-wide). */
    async function jacket(fields: Record<string, unknown> = {}) {
      sku += 1;
      return withOptions({
        ...JACKET,
        variants: JACKET.variants.map((v) => (v.sku ? { ...v, sku: `${v.sku}-${sku}` } : v)),
        ...fields,
      });
    }
    const variant = (product: { variants: VariantJson[] }, title: string) =>
      product.variants.find((v) => v.title === title) as VariantJson;
    const user = async () => (await t.customer()).token;
    const request = (
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      token: string,
      payload?: object,
    ) => t.request({ method, url, token, payload: payload as Record<string, unknown> });

    it('creates a product with options and variants: from-price, summed stock, titles and option values', async () => {
      const p = await jacket();
      assert.deepEqual(
        p.options.map((o: { name: string; values: string[] }) => [o.name, o.values]),
        [
          ['Color', ['Red', 'Blue']],
          ['Size', ['S', 'M']],
        ],
      );
      assert.deepEqual(
        p.variants.map((v: VariantJson) => [v.title, v.option_values, v.price, v.stock]),
        [
          ['Red / S', { Color: 'Red', Size: 'S' }, 80, 3],
          ['Red / M', { Color: 'Red', Size: 'M' }, 85, 5],
          ['Blue / S', { Color: 'Blue', Size: 'S' }, 75, 0],
          ['Blue / M', { Color: 'Blue', Size: 'M' }, 80, 2],
        ],
      );
      assert.equal(p.price, 75);
      assert.equal(p.current_price, 75);
      assert.equal(p.stock, 10);
      assert.equal(p.in_stock, true);
      assert.equal(variant(p, 'Blue / M').sku, null);
      const offer = await c.offer({ discount_percent: 10 });
      await c.apply(offer.id, p.id);
      const onOffer = (await c.get(`/api/products/${p.id}`)).json();
      assert.equal(onOffer.current_price, 67.5);
      assert.deepEqual(
        onOffer.variants.map((v: VariantJson) => v.current_price),
        [72, 76.5, 67.5, 72],
      );
    });

    it('makes one variant per combination from options alone (the product’s price, stock 0)', async () => {
      const p = await withOptions({
        name: 'Sock',
        price: 5,
        options: [
          { name: 'Size', values: ['S', 'M', 'L'] },
          { name: 'Color', values: ['Black', 'White'] },
        ],
      });
      assert.deepEqual(
        p.variants.map((v: VariantJson) => v.title),
        ['S / Black', 'S / White', 'M / Black', 'M / White', 'L / Black', 'L / White'],
      );
      assert.ok(p.variants.every((v: VariantJson) => v.price === 5 && v.stock === 0));
      assert.equal(p.stock, 0);
      assert.equal(p.in_stock, false);
    });

    it('refuses bad option and variant definitions with 400, writing nothing', async () => {
      const before = (await c.get('/api/products?limit=1')).headers['x-total-count'];
      const cases: Array<[string, Record<string, unknown>]> = [
        ['variants without options', { variants: [{ option_values: {} }] }],
        [
          'duplicate combination',
          {
            options: [{ name: 'Size', values: ['S', 'M'] }],
            variants: [{ option_values: { Size: 'S' } }, { option_values: { size: 's' } }],
          },
        ],
        [
          'unknown value',
          { options: [{ name: 'Size', values: ['S'] }], variants: [{ option_values: { Size: 'XL' } }] },
        ],
        [
          'missing option',
          {
            options: [
              { name: 'Size', values: ['S'] },
              { name: 'Color', values: ['Red'] },
            ],
            variants: [{ option_values: { Size: 'S' } }],
          },
        ],
        [
          'unknown option',
          { options: [{ name: 'Size', values: ['S'] }], variants: [{ option_values: { Fit: 'S' } }] },
        ],
        [
          'same option twice',
          {
            options: [
              { name: 'Size', values: ['S'] },
              { name: 'size', values: ['M'] },
            ],
          },
        ],
        ['same value twice', { options: [{ name: 'Size', values: ['S', 's'] }] }],
        ['four options', { options: ['A', 'B', 'C', 'D'].map((name) => ({ name, values: ['x'] })) }],
        ['51 values', { options: [{ name: 'N', values: Array.from({ length: 51 }, (_, i) => `v${i}`) }] }],
        [
          'too many combinations',
          {
            options: ['A', 'B'].map((name) => ({
              name,
              values: Array.from({ length: 11 }, (_, i) => `v${i}`),
            })),
          },
        ],
        ['stock beside options', { stock: 3, options: [{ name: 'Size', values: ['S'] }] }],
        ['a colon in an option name', { options: [{ name: 'Size:EU', values: ['40'] }] }],
        [
          'a bad SKU',
          {
            options: [{ name: 'Size', values: ['S'] }],
            variants: [{ sku: 'has space', option_values: { Size: 'S' } }],
          },
        ],
        [
          'a 65-character SKU',
          {
            options: [{ name: 'Size', values: ['S'] }],
            variants: [{ sku: 'x'.repeat(65), option_values: { Size: 'S' } }],
          },
        ],
      ];
      for (const [label, fields] of cases) {
        const res = await c.admin('POST', '/api/products', {
          name: `Bad ${label}`,
          price: 1,
          category_id: 1,
          ...fields,
        });
        assert.equal(res.statusCode, 400, `${label}: ${res.body}`);
        assert.match(String(res.headers['content-type']), /problem\+json/);
      }
      assert.equal((await c.get('/api/products?limit=1')).headers['x-total-count'], before);
    });

    it('keeps SKUs unique store-wide whatever their case (409 naming it), on create, add and update', async () => {
      const p = await jacket();
      const taken = variant(p, 'Red / S').sku!;
      const create = await c.admin('POST', '/api/products', {
        name: 'Copy',
        price: 1,
        category_id: 1,
        options: [{ name: 'Size', values: ['S'] }],
        variants: [{ sku: taken.toLowerCase(), option_values: { Size: 'S' } }],
      });
      assert.equal(create.statusCode, 409, create.body);
      assert.deepEqual(create.json().skus, [taken]);
      const add = await c.admin('POST', `/api/products/${p.id}/variants`, {
        sku: taken.toLowerCase(),
        option_values: { Color: 'Red', Size: 'S' },
      });
      assert.equal(add.statusCode, 400, 'the duplicate combination is found first');
      const update = await c.admin('PATCH', `/api/variants/${variant(p, 'Blue / M').id}`, {
        sku: taken.toUpperCase(),
      });
      assert.equal(update.statusCode, 409, update.body);
      const own = await c.admin('PATCH', `/api/variants/${variant(p, 'Red / S').id}`, {
        sku: taken.toLowerCase(),
      });
      assert.equal(own.statusCode, 200, 'a variant may change the case of its own SKU');
      const cleared = await c.admin('PATCH', `/api/variants/${variant(p, 'Red / S').id}`, { sku: null });
      assert.equal(cleared.json().sku, null);
    });

    it('adds a variant (201), refusing a combination a live variant has (400) and a value the option lacks', async () => {
      const p = await withOptions({
        name: 'Cap',
        price: 12,
        options: [{ name: 'Color', values: ['Red', 'Blue', 'Green'] }],
        variants: [{ option_values: { Color: 'Red' }, stock: 1 }],
      });
      const added = await c.admin('POST', `/api/products/${p.id}/variants`, {
        option_values: { Color: 'Blue' },
        stock: 4,
        sku: `CAP-BLUE-${dialect}`,
      });
      assert.equal(added.statusCode, 201, added.body);
      assert.equal(added.json().title, 'Blue');
      assert.equal(added.json().price, 12);
      const dup = await c.admin('POST', `/api/products/${p.id}/variants`, {
        option_values: { color: 'blue' },
      });
      assert.equal(dup.statusCode, 400);
      assert.equal(dup.json().code, 'validation_failed');
      const unknown = await c.admin('POST', `/api/products/${p.id}/variants`, {
        option_values: { Color: 'Pink' },
      });
      assert.equal(unknown.statusCode, 400);
      const moved = await c.admin('PATCH', `/api/variants/${added.json().id}`, {
        option_values: { Color: 'Red' },
      });
      assert.equal(moved.statusCode, 400, 'PATCH to a taken combination');
      assert.equal((await c.get(`/api/products/${p.id}`)).json().stock, 5);
      const list = await c.get(`/api/products/${p.id}/variants`);
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list.json().map((v: VariantJson) => v.title),
        ['Red', 'Blue'],
      );
    });

    it('answers PATCH price or stock on a multi-variant product with 409 has_variants naming the variant route', async () => {
      const p = await jacket();
      for (const body of [{ price: 10 }, { stock: 3 }, { name: 'Renamed', price: 10 }]) {
        const res = await c.admin('PATCH', `/api/products/${p.id}`, body);
        assert.equal(res.statusCode, 409, res.body);
        assert.equal(res.json().code, 'has_variants');
        assert.match(res.json().detail, /PATCH \/api\/variants\/\{id\}/);
        assert.equal(res.json().variants.length, 4);
      }
      assert.equal((await c.get(`/api/products/${p.id}`)).json().name, 'Trail Jacket', 'nothing changed');
      const renamed = await c.admin('PATCH', `/api/products/${p.id}`, { name: 'Trail Jacket II' });
      assert.equal(renamed.statusCode, 200);
      const repriced = await c.admin('PATCH', `/api/variants/${variant(p, 'Blue / S').id}`, {
        price: 99,
        stock: 7,
      });
      assert.equal(repriced.statusCode, 200, repriced.body);
      const after = (await c.get(`/api/products/${p.id}`)).json();
      assert.equal(after.price, 80, 'the from-price follows the variants');
      assert.equal(after.stock, 17);
      // A one-variant product takes price and stock as before, on its default variant.
      const plain = await c.product({ price: 3, stock: 1 });
      const patched = (await c.admin('PATCH', `/api/products/${plain.id}`, { price: 4.5, stock: 9 })).json();
      assert.deepEqual(
        [patched.price, patched.stock, patched.variants[0].price, patched.variants[0].stock],
        [4.5, 9, 4.5, 9],
      );
    });

    it('adds an option (variants get its first value) and renames an option or adds values', async () => {
      const p = await c.product({ name: 'Mug', price: 8, stock: 4 });
      const added = await c.admin('POST', `/api/products/${p.id}/options`, {
        name: 'Color',
        values: ['White', 'Black'],
      });
      assert.equal(added.statusCode, 201, added.body);
      assert.deepEqual(
        added.json().variants.map((v: VariantJson) => [v.title, v.option_values, v.stock]),
        [['White', { Color: 'White' }, 4]],
      );
      const optionId = added.json().options[0].id;
      const renamed = await c.admin('PATCH', `/api/products/${p.id}/options/${optionId}`, {
        name: 'Colour',
        values: ['black', 'Blue'],
      });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.deepEqual(renamed.json().options[0], {
        id: optionId,
        name: 'Colour',
        values: ['White', 'Black', 'Blue'],
      });
      const blue = await c.admin('POST', `/api/products/${p.id}/variants`, {
        option_values: { Colour: 'Blue' },
        stock: 2,
      });
      assert.equal(blue.statusCode, 201, blue.body);
      assert.equal((await c.get(`/api/products/${p.id}`)).json().stock, 6);
      assert.equal(
        (await c.admin('PATCH', `/api/products/${p.id}/options/999999`, { name: 'X' })).statusCode,
        404,
      );
    });

    it('needs variant_id for a multi-variant product in the cart (400 variant_required listing them)', async () => {
      const p = await jacket();
      const token = await user();
      const res = await request('POST', '/api/cart', token, { product_id: p.id, quantity: 1 });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'variant_required');
      assert.deepEqual(
        res.json().variants,
        p.variants.map((v: VariantJson) => ({ id: v.id, sku: v.sku, title: v.title })),
      );
      const red = variant(p, 'Red / M');
      const wrong = await request('POST', '/api/cart', token, {
        product_id: p.id + 100000,
        variant_id: red.id,
      });
      assert.equal(wrong.statusCode, 400, 'a variant of another product');
      const added = await request('POST', '/api/cart', token, {
        product_id: p.id,
        variant_id: red.id,
        quantity: 2,
      });
      assert.equal(added.statusCode, 201, added.body);
      const line = added.json().cart.items[0];
      assert.deepEqual(
        [line.product_id, line.variant_id, line.variant, line.quantity, line.unit_price, line.line_total],
        [
          p.id,
          red.id,
          { id: red.id, sku: red.sku, title: 'Red / M', option_values: { Color: 'Red', Size: 'M' } },
          2,
          85,
          170,
        ],
      );
      const tooMany = await request('POST', '/api/cart', token, {
        product_id: p.id,
        variant_id: red.id,
        quantity: 4,
      });
      assert.equal(tooMany.statusCode, 409);
      assert.equal(tooMany.json().code, 'insufficient_stock');
      assert.deepEqual(
        [tooMany.json().variant_id, tooMany.json().available, tooMany.json().in_cart],
        [red.id, 5, 2],
      );
    });

    it('keeps one line per variant: lines routes, and the seed-era product routes only when unambiguous', async () => {
      const p = await jacket();
      const token = await user();
      const red = variant(p, 'Red / S');
      const blue = variant(p, 'Blue / M');
      await request('POST', '/api/cart', token, { product_id: p.id, variant_id: red.id });
      let cart = (await request('POST', '/api/cart', token, { product_id: p.id, variant_id: red.id })).json()
        .cart;
      assert.equal(cart.items.length, 1);
      assert.equal(cart.items[0].quantity, 2);
      const single = await request('PATCH', `/api/cart/items/${p.id}`, token, { quantity: 3 });
      assert.equal(single.statusCode, 200, 'one line of the product: the seed form works');
      assert.equal(single.json().items[0].quantity, 3);
      cart = (await request('POST', '/api/cart', token, { product_id: p.id, variant_id: blue.id })).json()
        .cart;
      assert.equal(cart.items.length, 2);
      for (const res of [
        await request('PATCH', `/api/cart/items/${p.id}`, token, { quantity: 1 }),
        await request('DELETE', `/api/cart/items/${p.id}`, token),
      ]) {
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().code, 'variant_required');
        assert.deepEqual(
          res.json().variants.map((v: { id: number }) => v.id),
          [red.id, blue.id],
        );
      }
      const redLine = cart.items.find((l: { variant_id: number }) => l.variant_id === red.id).id;
      const blueLine = cart.items.find((l: { variant_id: number }) => l.variant_id === blue.id).id;
      const patched = await request('PATCH', `/api/cart/lines/${redLine}`, token, { quantity: 1 });
      assert.equal(patched.statusCode, 200);
      assert.equal(patched.json().items.find((l: { id: number }) => l.id === redLine).quantity, 1);
      assert.equal(
        (await request('PATCH', `/api/cart/lines/${blueLine}`, token, { quantity: 0 })).json().items.length,
        1,
      );
      const other = await user();
      assert.equal(
        (await request('DELETE', `/api/cart/lines/${redLine}`, other)).statusCode,
        404,
        "another user's line",
      );
      assert.equal((await request('DELETE', `/api/cart/lines/${redLine}`, token)).statusCode, 204);
      await request('POST', '/api/cart', token, { product_id: p.id, variant_id: red.id });
      assert.equal((await request('DELETE', `/api/cart/items/${p.id}`, token)).statusCode, 204);
      await request('POST', '/api/cart', token, { product_id: p.id, variant_id: blue.id });
      assert.equal((await request('DELETE', '/api/cart', token)).statusCode, 204);
      assert.deepEqual((await request('GET', '/api/cart', token)).json().items, []);
    });

    it('sells a variant with stock 5 to exactly 5 of 20 simultaneous buyers, leaving its siblings untouched', async () => {
      const p = await jacket();
      const red = variant(p, 'Red / M');
      const buyers = await Promise.all(Array.from({ length: 20 }, () => user()));
      for (const token of buyers) {
        const res = await request('POST', '/api/cart', token, {
          product_id: p.id,
          variant_id: red.id,
          quantity: 1,
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const responses = await Promise.all(buyers.map((token) => request('POST', '/api/checkout', token)));
      const sold = responses.filter((r) => r.statusCode === 201);
      assert.equal(sold.length, 5);
      assert.equal(responses.filter((r) => r.statusCode === 409).length, 15);
      for (const r of sold) {
        const [line] = r.json().order.items;
        assert.deepEqual(
          [line.variant_id, line.sku, line.variant_title, line.unit_price],
          [red.id, red.sku, 'Red / M', 85],
        );
      }
      const after = (await c.get(`/api/products/${p.id}`)).json();
      assert.deepEqual(
        after.variants.map((v: VariantJson) => [v.title, v.stock]),
        [
          ['Red / S', 3],
          ['Red / M', 0],
          ['Blue / S', 0],
          ['Blue / M', 2],
        ],
      );
      assert.equal(after.stock, 5);
    });

    it('archives a deleted variant that is in an order (the order reads the same); deletes one that is not', async () => {
      const p = await jacket();
      const red = variant(p, 'Red / S');
      const token = await user();
      await request('POST', '/api/cart', token, { product_id: p.id, variant_id: red.id });
      const order = (await request('POST', '/api/checkout', token)).json().order;
      assert.equal((await c.admin('DELETE', `/api/variants/${red.id}`)).statusCode, 204);
      assert.deepEqual((await request('GET', `/api/orders/${order.id}`, token)).json(), order);
      const customerView = (await c.get(`/api/products/${p.id}/variants`)).json();
      assert.ok(
        !customerView.some((v: VariantJson) => v.id === red.id),
        'archived variants are hidden from shoppers',
      );
      const adminView = (
        await t.request({ method: 'GET', url: `/api/products/${p.id}/variants`, token: await t.adminToken() })
      ).json();
      assert.equal(adminView.find((v: VariantJson) => v.id === red.id).archived, true);
      const product = (await c.get(`/api/products/${p.id}`)).json();
      assert.equal(product.variants.length, 3);
      assert.equal(product.stock, 7, 'archived stock no longer counts');
      const buy = await request('POST', '/api/cart', token, { product_id: p.id, variant_id: red.id });
      assert.equal(buy.statusCode, 404);

      const blueS = variant(p, 'Blue / S');
      assert.equal((await c.admin('DELETE', `/api/variants/${blueS.id}`)).statusCode, 204);
      assert.equal(
        (await c.admin('PATCH', `/api/variants/${blueS.id}`, { price: 1 })).statusCode,
        404,
        'gone, not archived',
      );
      assert.equal((await c.admin('DELETE', `/api/variants/${variant(p, 'Red / M').id}`)).statusCode, 204);
      const last = await c.admin('DELETE', `/api/variants/${variant(p, 'Blue / M').id}`);
      assert.equal(last.statusCode, 409, 'the last live variant cannot go');
      assert.equal((await c.get(`/api/products/${p.id}`)).json().variants.length, 1);
    });

    it('finds a product by SKU (any case) and filters by option values in stock', async () => {
      const p = await jacket({ name: 'Alpine Shell' });
      const bySku = await c.get(`/api/products?q=${variant(p, 'Red / M').sku!.toLowerCase()}`);
      assert.deepEqual(
        bySku.json().map((x: { id: number }) => x.id),
        [p.id],
      );
      const ids = async (query: string) =>
        (await c.get(`/api/products?q=alpine&${query}`)).json().map((x: { id: number }) => x.id);
      assert.deepEqual(await ids('option=Color:Red'), [p.id]);
      assert.deepEqual(await ids('option=color:red&option=Size:M'), [p.id]);
      assert.deepEqual(await ids('option=Color:Blue&option=Size:S'), [], 'Blue / S is out of stock');
      assert.deepEqual(await ids('option=Color:Green'), []);
      assert.equal((await c.get('/api/products?option=Color')).statusCode, 400);
    });

    it('changes the catalog ETag when a variant changes', async () => {
      const p = await jacket();
      const first = await c.get(`/api/products/${p.id}`);
      const etag = String(first.headers.etag);
      assert.equal((await c.get(`/api/products/${p.id}`, { 'if-none-match': etag })).statusCode, 304);
      await c.admin('PATCH', `/api/variants/${variant(p, 'Blue / M').id}`, { stock: 9 });
      const changed = await c.get(`/api/products/${p.id}`, { 'if-none-match': etag });
      assert.equal(changed.statusCode, 200);
      assert.equal(variant(changed.json(), 'Blue / M').stock, 9);
      await c.admin('POST', `/api/products/${p.id}/options`, { name: 'Fit', values: ['Slim'] });
      const again = await c.get(`/api/products/${p.id}`, { 'if-none-match': String(changed.headers.etag) });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().options.length, 3);
    });

    it('puts serialized units on a variant (variant_id required with several) and reports inventory per variant', async () => {
      const p = await jacket();
      const blue = variant(p, 'Blue / M');
      const units = (body: object) => c.admin('POST', `/api/products/${p.id}/units`, body);
      const missing = await units({ count: 2 });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().code, 'variant_required');
      const added = await units({ count: 3, variant_id: blue.id });
      assert.equal(added.statusCode, 201, added.body);
      assert.ok(added.json().every((u: { variant_id: number }) => u.variant_id === blue.id));
      const after = (await c.get(`/api/products/${p.id}`)).json();
      assert.deepEqual([variant(after, 'Blue / M').stock, variant(after, 'Blue / M').serialized], [3, true]);
      assert.equal(after.stock, 11);
      assert.equal((await c.admin('PATCH', `/api/variants/${blue.id}`, { stock: 1 })).statusCode, 409);

      const report = await t.request({
        method: 'GET',
        url: `/api/admin/inventory?category_id=2&sort=id&limit=100`,
        token: await t.adminToken(),
      });
      const mine = report.json().filter((r: { product_id: number }) => r.product_id === p.id);
      assert.deepEqual(
        mine.map((r: { variant_title: string; stock: number; sku: string | null }) => [
          r.variant_title,
          r.stock,
        ]),
        [
          ['Red / S', 3],
          ['Red / M', 5],
          ['Blue / S', 0],
          ['Blue / M', 3],
        ],
      );
    });
  });
}
