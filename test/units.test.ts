import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';
import { defaultLine } from './helpers/variants.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

for (const dialect of testDialects()) {
  describe(`serialized units (${dialect})`, () => {
    let t: TestApp;
    let c: ReturnType<typeof catalog>;
    before(async () => {
      t = await buildTestApp(dialect);
      c = catalog(t);
    });
    after(() => t.close());

    const addUnits = (productId: number, body: unknown) =>
      c.admin('POST', `/api/products/${productId}/units`, body);
    const adminGet = async (url: string) => t.request({ method: 'GET', url, token: await t.adminToken() });

    it('generates UUID serials for {count}; the product becomes serialized with stock = available units', async () => {
      const product = await c.product({ stock: 7 });
      const res = await addUnits(product.id, { count: 3 });
      assert.equal(res.statusCode, 201, res.body);
      const units = res.json();
      assert.equal(units.length, 3);
      for (const unit of units) {
        assert.match(unit.serial_number, UUID);
        assert.equal(unit.status, 'available');
        assert.equal(unit.product_id, product.id);
        assert.equal(unit.order_item_id, null);
      }
      const p = (await c.get(`/api/products/${product.id}`)).json();
      assert.equal(p.serialized, true);
      assert.equal(p.stock, 3);
      const more = await addUnits(product.id, { serial_numbers: ['SN-A1', 'SN-A2'] });
      assert.deepEqual(
        more.json().map((u: { serial_number: string }) => u.serial_number),
        ['SN-A1', 'SN-A2'],
      );
      assert.equal((await c.get(`/api/products/${product.id}`)).json().stock, 5);
    });

    it('refuses a duplicate serial in the batch or in the store with a 409 naming it, writing nothing', async () => {
      const product = await c.product({ stock: 0 });
      await addUnits(product.id, { serial_numbers: ['DUP-1'] });
      const inBatch = await addUnits(product.id, { serial_numbers: ['NEW-1', 'NEW-2', 'NEW-1'] });
      assert.equal(inBatch.statusCode, 409);
      assert.match(inBatch.json().detail, /NEW-1/);
      const other = await c.product();
      const inStore = await addUnits(other.id, { serial_numbers: ['FRESH-1', 'DUP-1'] });
      assert.equal(inStore.statusCode, 409);
      assert.match(inStore.json().detail, /DUP-1/);
      assert.deepEqual(inStore.json().serial_numbers, ['DUP-1']);
      const written = await t.db
        .selectFrom('units')
        .select('serial_number')
        .where('serial_number', 'in', ['NEW-1', 'NEW-2', 'FRESH-1'])
        .execute();
      assert.deepEqual(written, []);
      const untouched = (await c.get(`/api/products/${other.id}`)).json();
      assert.equal(untouched.serialized, false);
      assert.equal(untouched.stock, 5);
    });

    it('validates the body: exactly one of count or serial_numbers', async () => {
      const product = await c.product();
      for (const body of [
        {},
        { count: 0 },
        { count: 1001 },
        { count: 1, serial_numbers: ['X-1'] },
        { serial_numbers: [] },
        { serial_numbers: ['has space'] },
        { serial_numbers: [''] },
        { count: 1, status: 'sold' },
      ]) {
        assert.equal((await addUnits(product.id, body)).statusCode, 400, JSON.stringify(body));
      }
      assert.equal((await addUnits(99999, { count: 1 })).statusCode, 404);
    });

    it('refuses to set stock directly on a serialized product', async () => {
      const product = await c.product();
      await addUnits(product.id, { count: 2 });
      const res = await c.admin('PATCH', `/api/products/${product.id}`, { stock: 50 });
      assert.equal(res.statusCode, 409);
      assert.match(res.json().detail, /serialized/);
      const ok = await c.admin('PATCH', `/api/products/${product.id}`, { price: 12 });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().stock, 2);
    });

    it('lists units filtered by status, paginated', async () => {
      const product = await c.product();
      const units = (await addUnits(product.id, { serial_numbers: ['L-1', 'L-2', 'L-3'] })).json();
      await t.db
        .updateTable('units')
        .set({ status: 'sold', sold_at: t.clock.now().toISOString() })
        .where('id', '=', units[1].id)
        .execute();
      const all = await adminGet(`/api/products/${product.id}/units`);
      assert.equal(all.statusCode, 200);
      assert.equal(all.headers['x-total-count'], '3');
      const sold = await adminGet(`/api/products/${product.id}/units?status=sold`);
      assert.deepEqual(
        sold.json().map((u: { serial_number: string }) => u.serial_number),
        ['L-2'],
      );
      const available = await adminGet(`/api/products/${product.id}/units?status=available&limit=1`);
      assert.deepEqual(
        available.json().map((u: { serial_number: string }) => u.serial_number),
        ['L-1'],
      );
      assert.equal(available.headers['x-total-count'], '2');
      assert.equal((await adminGet(`/api/products/${product.id}/units?status=lost`)).statusCode, 400);
      assert.equal((await adminGet('/api/products/99999/units')).statusCode, 404);
    });

    it('looks a unit up by serial with its product and, when sold, its order', async () => {
      const product = await c.product({ name: 'Laptop', price: 999.99 });
      await addUnits(product.id, { serial_numbers: ['W-100', 'W-200'] });
      const available = await adminGet('/api/units/W-100');
      assert.equal(available.statusCode, 200);
      assert.equal(available.json().serial_number, 'W-100');
      assert.equal(available.json().product.name, 'Laptop');
      assert.equal(available.json().order, null);

      const buyer = await t.customer();
      const now = t.clock.now().toISOString();
      const order = await t.db
        .insertInto('orders')
        .values({
          user_id: buyer.id,
          status: 'delivered',
          total_cents: 99999,
          estimated_delivery_date: now,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const item = await t.db
        .insertInto('order_items')
        .values({
          order_id: order.id,
          product_id: product.id,
          ...(await defaultLine(t.db, product.id)),
          product_name: 'Laptop',
          unit_price_cents: 99999,
          original_unit_price_cents: 99999,
          quantity: 1,
          line_total_cents: 99999,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .updateTable('units')
        .set({ status: 'sold', order_item_id: item.id, sold_at: now })
        .where('serial_number', '=', 'W-200')
        .execute();
      const sold = (await adminGet('/api/units/W-200')).json();
      assert.equal(sold.status, 'sold');
      assert.equal(sold.order_item_id, item.id);
      assert.equal(sold.order.id, order.id);
      assert.equal(sold.order.user_id, buyer.id);
      assert.equal(sold.order.status, 'delivered');
      assert.equal(sold.order.unit_price, 999.99);
      assert.equal((await adminGet('/api/units/NOPE-1')).statusCode, 404);
    });

    it('a customer gets 403 on every unit route', async () => {
      const { token } = await t.customer();
      for (const [method, url, payload] of [
        ['POST', '/api/products/1/units', { count: 1 }],
        ['GET', '/api/products/1/units', undefined],
        ['GET', '/api/units/W-100', undefined],
      ] as const) {
        assert.equal((await t.request({ method, url, payload, token })).statusCode, 403, `${method} ${url}`);
      }
    });
  });
}
