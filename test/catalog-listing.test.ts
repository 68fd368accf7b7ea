import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';

type P = {
  id: number;
  name: string;
  current_price: number;
  price: number;
  in_stock: boolean;
  is_on_offer: boolean;
};

for (const dialect of testDialects()) {
  describe(`catalog listing (${dialect})`, () => {
    let t: TestApp;
    let c: ReturnType<typeof catalog>;
    const ids: Record<string, number> = {};
    before(async () => {
      t = await buildTestApp(dialect);
      c = catalog(t);
      // Category 5 (Sports) holds the fixtures of this suite.
      const make = async (key: string, fields: Record<string, unknown>) => {
        ids[key] = (await c.product({ category_id: 5, ...fields })).id;
        t.clock.advance(1000); // distinct created_at for sort=newest
      };
      await make('ball', { name: 'Football', description: 'Leather ball for matches', price: 25, stock: 4 });
      await make('boots', {
        name: 'Running boots',
        description: 'Great for a football pitch too',
        price: 80,
        stock: 0,
      });
      await make('net', {
        name: 'Goal net',
        description: 'football football football football',
        price: 40,
        stock: 1,
      });
      await make('cap', { name: 'Cap', description: 'Sun cap', price: 9.99, stock: 10 });
      await make('racket', { name: 'Tennis racket', description: 'Graphite', price: 100, stock: 2 });
      const offer = await c.offer({ discount_percent: 20 });
      await c.apply(offer.id, ids.racket!); // 100 → 80
      const expired = await c.offer({
        discount_percent: 20,
        start_time: '2020-01-01T00:00:00Z',
        end_time: '2020-02-01T00:00:00Z',
      });
      await c.apply(expired.id, ids.ball!); // no effect
    });
    after(() => t.close());

    const list = async (query: string) => {
      const res = await c.get(`/api/categories/5/products?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as P[];
    };
    const names = async (query: string) => (await list(query)).map((p) => p.name);

    it('sorts by price (current, offer-aware), name and newest', async () => {
      assert.deepEqual(await names('sort=price'), [
        'Cap',
        'Football',
        'Goal net',
        'Running boots',
        'Tennis racket',
      ]);
      // The racket (100 at 20% off = 80) ties the boots at 80; ties go by id.
      const byPrice = await list('sort=-price');
      assert.deepEqual(
        byPrice.map((p) => p.current_price),
        [80, 80, 40, 25, 9.99],
      );
      assert.deepEqual(await names('sort=name'), [
        'Cap',
        'Football',
        'Goal net',
        'Running boots',
        'Tennis racket',
      ]);
      assert.deepEqual(await names('sort=-name'), [
        'Tennis racket',
        'Running boots',
        'Goal net',
        'Football',
        'Cap',
      ]);
      assert.deepEqual(await names('sort=newest'), [
        'Tennis racket',
        'Cap',
        'Goal net',
        'Running boots',
        'Football',
      ]);
      assert.equal((await c.get('/api/products?sort=cheapest')).statusCode, 400);
    });

    it('filters on the current price, stock and active offers', async () => {
      assert.deepEqual(await names('min_price=80&max_price=80&sort=name'), [
        'Running boots',
        'Tennis racket',
      ]);
      assert.deepEqual(await names('max_price=25&sort=name'), ['Cap', 'Football']);
      assert.deepEqual(await names('min_price=90'), []);
      assert.deepEqual(await names('in_stock=false'), ['Running boots']);
      assert.equal((await list('in_stock=true')).length, 4);
      assert.deepEqual(await names('on_offer=true'), ['Tennis racket']);
      assert.equal((await list('on_offer=false')).length, 4);
      assert.equal((await c.get('/api/products?min_price=1.234')).statusCode, 400);
      assert.equal((await c.get('/api/products?min_price=-1')).statusCode, 400);
      assert.equal((await c.get('/api/products?min_price=50&max_price=10')).statusCode, 400);
      const all = await c.get('/api/products?category_id=5&on_offer=true');
      assert.deepEqual(
        all.json().map((p: P) => p.name),
        ['Tennis racket'],
      );
    });

    it('shows an expired offer as offer null, not on offer, full price', async () => {
      const [ball] = (await list('q=leather')) as (P & { offer: unknown; discount_amount: number })[];
      assert.equal(ball?.offer, null);
      assert.equal(ball?.is_on_offer, false);
      assert.equal(ball?.current_price, 25);
      assert.equal(ball?.discount_amount, 0);
    });

    it('searches full text over name and description, name matches first', async () => {
      // "Goal net" repeats football in its description; "Football" has it in its name.
      assert.deepEqual(await names('q=football'), ['Football', 'Goal net', 'Running boots']);
      assert.deepEqual(await names('q=FOOT'), ['Football', 'Goal net', 'Running boots']); // prefix, any case
      assert.deepEqual(await names('q=football%20pitch'), ['Running boots']); // every word must match
      assert.deepEqual(await names('q=graphite'), ['Tennis racket']);
      assert.deepEqual(await names('q=football&sort=price'), ['Football', 'Goal net', 'Running boots']);
      assert.deepEqual(await names('q=zzzz'), []);
      assert.equal((await list('q=%21%21%21')).length, 5); // no letters or digits: no search
      // Operators and quotes are read as plain words, never as query syntax.
      for (const q of ['"', 'foot*', 'NOT ball', 'name:cap', "'); drop table products;--", '(((']) {
        const res = await c.get(`/api/products?q=${encodeURIComponent(q)}`);
        assert.equal(res.statusCode, 200, `${q}: ${res.body}`);
      }
    });

    it('keeps the search index in step with renames and deletes', async () => {
      const p = await c.product({ category_id: 5, name: 'Frisbee', description: 'plastic disc' });
      assert.deepEqual(await names('q=frisbee'), ['Frisbee']);
      await c.admin('PATCH', `/api/products/${p.id}`, { name: 'Boomerang', description: 'wooden' });
      assert.deepEqual(await names('q=frisbee'), []);
      assert.deepEqual(await names('q=plastic'), []);
      assert.deepEqual(await names('q=wooden'), ['Boomerang']);
      await c.admin('DELETE', `/api/products/${p.id}`);
      assert.deepEqual(await names('q=boomerang'), []);
    });

    it('paginates with limit/offset, X-Total-Count and Link', async () => {
      const first = await c.get('/api/categories/5/products?limit=2&sort=name');
      assert.equal(first.headers['x-total-count'], '5');
      assert.deepEqual(
        first.json().map((p: P) => p.name),
        ['Cap', 'Football'],
      );
      assert.equal(first.headers.link, '</api/categories/5/products?limit=2&sort=name&offset=2>; rel="next"');
      const last = await c.get('/api/categories/5/products?limit=2&offset=4&sort=name');
      assert.deepEqual(
        last.json().map((p: P) => p.name),
        ['Tennis racket'],
      );
      assert.equal(last.headers.link, `</api/categories/5/products?limit=2&offset=2&sort=name>; rel="prev"`);
      assert.doesNotMatch(String(last.headers.link), /next/);
      for (const bad of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc']) {
        const res = await c.get(`/api/products?${bad}`);
        assert.equal(res.statusCode, 400, bad);
        assert.equal(res.json().code, 'validation_failed');
      }
      assert.equal((await c.get('/api/products?limit=100')).statusCode, 200);
      assert.equal((await c.get('/api/products?colour=red')).statusCode, 400);
      assert.equal((await c.get('/api/categories/999/products')).statusCode, 404);
    });

    it('sends a strong ETag, answers If-None-Match with 304, and changes after a write', async () => {
      const url = `/api/products/${ids.cap}`;
      const first = await c.get(url);
      const etag = String(first.headers.etag);
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/); // strong: no W/
      assert.equal(first.headers['cache-control'], 'public, max-age=0, s-maxage=30');
      assert.match(String(first.headers.vary), /Authorization/);
      const again = await c.get(url, { 'if-none-match': etag });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      assert.equal(again.headers.etag, etag);
      assert.equal((await c.get(url, { 'if-none-match': `"other", W/${etag}` })).statusCode, 304);
      assert.equal((await c.get(url, { 'if-none-match': '"other"' })).statusCode, 200);

      await c.admin('PATCH', url, { price: 11 });
      const changed = await c.get(url, { 'if-none-match': etag });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.json().price, 11);
      assert.notEqual(changed.headers.etag, etag);

      const listing = await c.get('/api/products?limit=2');
      assert.ok(listing.headers.etag);
      assert.equal(
        (await c.get('/api/products?limit=2', { 'if-none-match': String(listing.headers.etag) })).statusCode,
        304,
      );
      for (const path of ['/api/categories', '/api/offers/active', '/api/categories/5/products']) {
        const res = await c.get(path);
        assert.ok(res.headers.etag, path);
        assert.equal(
          (await c.get(path, { 'if-none-match': String(res.headers.etag) })).statusCode,
          304,
          path,
        );
      }
    });

    it('never lets a shared cache keep an authenticated response', async () => {
      const res = await t.request({
        method: 'GET',
        url: `/api/products/${ids.cap}`,
        token: await t.adminToken(),
      });
      assert.equal(res.headers['cache-control'], 'private, no-cache');
      assert.ok(res.headers.etag);
      const missing = await c.get('/api/products/999999');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.headers.etag, undefined);
    });
  });
}
