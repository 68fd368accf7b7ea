import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';

for (const dialect of testDialects()) {
  describe(`catalog categories (${dialect})`, () => {
    let t: TestApp;
    let c: ReturnType<typeof catalog>;
    before(async () => {
      t = await buildTestApp(dialect);
      c = catalog(t);
    });
    after(() => t.close());

    it('lists the 20 seed categories with product counts, on one default page', async () => {
      const res = await c.get('/api/categories');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.length, 20);
      assert.equal(res.headers['x-total-count'], '20');
      assert.deepEqual(body[0], { id: 1, name: 'Electronics', product_count: 0 });
      assert.equal(body[19].name, 'Software');
      assert.equal((await c.get('/api/categories?limit=5')).json().length, 5);
      assert.equal((await c.get('/api/categories?limit=101')).statusCode, 400);
    });

    it('counts live products only', async () => {
      await c.product({ category_id: 3 });
      const archived = await c.product({ category_id: 3 });
      await t.db
        .updateTable('products')
        .set({ archived_at: t.clock.now().toISOString() })
        .where('id', '=', archived.id)
        .execute();
      const home = (await c.get('/api/categories')).json().find((x: { id: number }) => x.id === 3);
      assert.equal(home.product_count, 1);
    });

    it('creates, renames and deletes a category; names are unique ignoring case', async () => {
      const created = await c.admin('POST', '/api/categories', { name: 'Garden' });
      assert.equal(created.statusCode, 201);
      assert.deepEqual(Object.keys(created.json()).sort(), ['id', 'name', 'product_count']);
      const id = created.json().id;
      assert.equal((await c.admin('POST', '/api/categories', { name: 'garden' })).statusCode, 409);
      assert.equal((await c.admin('POST', '/api/categories', { name: '' })).statusCode, 400);
      assert.equal((await c.admin('POST', '/api/categories', { name: 'X', id: 3 })).statusCode, 400);
      const renamed = await c.admin('PATCH', `/api/categories/${id}`, { name: 'Garden & Patio' });
      assert.equal(renamed.json().name, 'Garden & Patio');
      assert.equal(
        (await c.admin('PATCH', `/api/categories/${id}`, { name: 'electronics' })).statusCode,
        409,
      );
      assert.equal((await c.admin('PATCH', '/api/categories/9999', { name: 'Nope' })).statusCode, 404);
      assert.equal((await c.admin('DELETE', `/api/categories/${id}`)).statusCode, 204);
      assert.equal((await c.admin('DELETE', `/api/categories/${id}`)).statusCode, 404);
    });

    it('refuses to delete a category that has products (409)', async () => {
      const res = await c.admin('POST', '/api/categories', { name: 'Busy' });
      const id = res.json().id;
      await c.product({ category_id: id });
      const del = await c.admin('DELETE', `/api/categories/${id}`);
      assert.equal(del.statusCode, 409);
      assert.equal(del.json().code, 'conflict');
      assert.match(del.json().detail, /1 product/);
      assert.equal(
        (await c.get('/api/categories?limit=100')).json().some((x: { id: number }) => x.id === id),
        true,
      );
    });

    it('lists the products of one category', async () => {
      const res = await c.admin('POST', '/api/categories', { name: 'Listed' });
      const id = res.json().id;
      const a = await c.product({ category_id: id, name: 'A' });
      await c.product({ category_id: 1, name: 'Elsewhere' });
      const list = await c.get(`/api/categories/${id}/products`);
      assert.deepEqual(
        list.json().map((p: { id: number }) => p.id),
        [a.id],
      );
      assert.equal(list.headers['x-total-count'], '1');
    });

    it('a customer gets 403 on every admin category route', async () => {
      const { token } = await t.customer();
      for (const [method, url, payload] of [
        ['POST', '/api/categories', { name: 'Nope' }],
        ['PATCH', '/api/categories/1', { name: 'Nope' }],
        ['DELETE', '/api/categories/20', undefined],
      ] as const) {
        const res = await t.request({ method, url, payload, token });
        assert.equal(res.statusCode, 403, `${method} ${url}`);
        assert.equal(res.json().code, 'forbidden');
      }
    });
  });
}
