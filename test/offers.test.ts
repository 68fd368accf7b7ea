import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/lib/clock.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';

const window = { start_time: '2026-03-01T00:00:00Z', end_time: '2026-03-08T00:00:00Z' };

for (const dialect of testDialects()) {
  describe(`offers (${dialect})`, () => {
    let t: TestApp;
    let c: ReturnType<typeof catalog>;
    before(async () => {
      t = await buildTestApp(dialect, { clock: new ManualClock('2026-02-15T12:00:00.000Z') });
      c = catalog(t);
    });
    after(() => t.close());

    it('creates an offer (201), storing times as UTC with the offset applied', async () => {
      const res = await c.admin('POST', '/api/offers', {
        name: 'Dashain sale',
        discount_percent: 12.5,
        start_time: '2026-03-01T10:00:00+05:45',
        end_time: '2026-03-02T10:00:00+05:45',
      });
      assert.equal(res.statusCode, 201, res.body);
      const offer = res.json();
      assert.equal(offer.discount_percent, 12.5);
      assert.equal(offer.start_time, '2026-03-01T04:15:00.000Z');
      assert.equal(offer.end_time, '2026-03-02T04:15:00.000Z');
      assert.equal(offer.is_active, false);
      assert.deepEqual(offer.product_ids, []);
      const row = await t.db
        .selectFrom('offers')
        .select('discount_bp')
        .where('id', '=', offer.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.discount_bp, 1250);
    });

    it('validates the window and the percentage', async () => {
      const post = (body: Record<string, unknown>) =>
        c.admin('POST', '/api/offers', { name: 'X', discount_percent: 10, ...window, ...body });
      const naive = await post({ start_time: '2026-03-01T10:00:00' });
      assert.equal(naive.statusCode, 400);
      assert.match(naive.json().detail, /offset/);
      assert.equal(naive.json().errors[0].path, '/start_time');
      for (const body of [
        { discount_percent: 0 },
        { discount_percent: 20.01 },
        { discount_percent: -5 },
        { discount_percent: 12.345 },
        { discount_percent: '10' },
        { end_time: window.start_time },
        { end_time: '2026-02-01T00:00:00Z' },
        { start_time: 'yesterday' },
        { name: '' },
        { product_ids: [1] },
      ]) {
        assert.equal((await post(body)).statusCode, 400, JSON.stringify(body));
      }
      assert.equal((await post({ discount_percent: 20 })).statusCode, 201);
      assert.equal((await post({ discount_percent: 0.01 })).statusCode, 201);
    });

    it('prices a product on offer only while start <= now < end, moving the clock', async () => {
      const product = await c.product({ price: 19.99 });
      const offer = (
        await c.admin('POST', '/api/offers', { name: 'Spring', discount_percent: 15, ...window })
      ).json();
      await c.apply(offer.id, product.id);
      const read = async () => (await c.get(`/api/products/${product.id}`)).json();

      let p = await read();
      assert.equal(p.is_on_offer, false);
      assert.equal(p.offer, null);
      assert.equal(p.current_price, 19.99);

      t.clock.set('2026-03-01T00:00:00.000Z'); // starts: inclusive
      p = await read();
      assert.equal(p.is_on_offer, true);
      assert.equal(p.current_price, 16.99);
      assert.equal(p.discount_amount, 3);
      assert.deepEqual(p.offer, {
        id: offer.id,
        name: 'Spring',
        discount_percent: 15,
        start_time: '2026-03-01T00:00:00.000Z',
        end_time: '2026-03-08T00:00:00.000Z',
      });
      const active = await c.get('/api/offers/active');
      assert.deepEqual(
        active.json().map((x: { id: number }) => x.id),
        [product.id],
      );

      t.clock.set('2026-03-07T23:59:59.999Z');
      assert.equal((await read()).current_price, 16.99);

      t.clock.set('2026-03-08T00:00:00.000Z'); // ends: exclusive
      p = await read();
      assert.equal(p.offer, null);
      assert.equal(p.is_on_offer, false);
      assert.equal(p.current_price, 19.99);
      assert.equal(p.discount_amount, 0);
      assert.deepEqual((await c.get('/api/offers/active')).json(), []);
      t.clock.set('2026-02-15T12:00:00.000Z');
    });

    it('rounds half-up: 1.65 at 10% is 1.49', async () => {
      const product = await c.product({ price: 1.65 });
      const offer = (
        await c.admin('POST', '/api/offers', {
          name: 'Ten',
          discount_percent: 10,
          start_time: '2026-01-01T00:00:00Z',
          end_time: '2027-01-01T00:00:00Z',
        })
      ).json();
      await c.apply(offer.id, product.id);
      const p = (await c.get(`/api/products/${product.id}`)).json();
      assert.equal(p.current_price, 1.49);
      assert.equal(p.discount_amount, 0.16);
    });

    it('applies: 200 {message}; 404 for a missing offer or product; replaces the previous offer', async () => {
      const product = await c.product();
      const a = (await c.admin('POST', '/api/offers', { name: 'A', discount_percent: 5, ...window })).json();
      const b = (await c.admin('POST', '/api/offers', { name: 'B', discount_percent: 5, ...window })).json();
      const res = await c.admin('POST', `/api/offers/${a.id}/apply/${product.id}`);
      assert.equal(res.statusCode, 200);
      assert.equal(typeof res.json().message, 'string');
      const missingOffer = await c.admin('POST', `/api/offers/99999/apply/${product.id}`);
      assert.equal(missingOffer.statusCode, 404);
      assert.match(missingOffer.json().detail, /Offer/);
      const missingProduct = await c.admin('POST', `/api/offers/${a.id}/apply/99999`);
      assert.equal(missingProduct.statusCode, 404);
      assert.match(missingProduct.json().detail, /Product/);
      await c.apply(b.id, product.id);
      assert.deepEqual((await c.get(`/api/offers/${a.id}`)).statusCode, 401);
      const token = await t.adminToken();
      const getOffer = async (id: number) =>
        (await t.request({ method: 'GET', url: `/api/offers/${id}`, token })).json();
      assert.deepEqual((await getOffer(a.id)).product_ids, []);
      assert.deepEqual((await getOffer(b.id)).product_ids, [product.id]);
      const list = await t.request({ method: 'GET', url: '/api/offers?limit=100', token });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json().find((o: { id: number }) => o.id === b.id).product_ids, [product.id]);
      assert.ok(Number(list.headers['x-total-count']) >= 2);
    });

    it('updates partially and re-checks the window; deleting detaches its products', async () => {
      const product = await c.product({ price: 10 });
      const offer = (
        await c.admin('POST', '/api/offers', {
          name: 'Now',
          discount_percent: 10,
          start_time: '2026-02-01T00:00:00Z',
          end_time: '2026-03-01T00:00:00Z',
        })
      ).json();
      await c.apply(offer.id, product.id);
      const patched = await c.admin('PATCH', `/api/offers/${offer.id}`, { discount_percent: 20 });
      assert.equal(patched.statusCode, 200);
      assert.equal(patched.json().discount_percent, 20);
      assert.equal(patched.json().name, 'Now');
      assert.equal(patched.json().is_active, true);
      assert.equal((await c.get(`/api/products/${product.id}`)).json().current_price, 8);
      const bad = await c.admin('PATCH', `/api/offers/${offer.id}`, { end_time: '2026-01-01T00:00:00Z' });
      assert.equal(bad.statusCode, 400);
      assert.equal(
        (await c.admin('PATCH', `/api/offers/${offer.id}`, { end_time: '2026-03-01T00:00:00' })).statusCode,
        400,
      );
      assert.equal((await c.admin('PATCH', '/api/offers/99999', { name: 'x' })).statusCode, 404);
      assert.equal((await c.admin('DELETE', `/api/offers/${offer.id}`)).statusCode, 204);
      const p = (await c.get(`/api/products/${product.id}`)).json();
      assert.equal(p.offer, null);
      assert.equal(p.current_price, 10);
      assert.equal((await c.admin('DELETE', `/api/offers/${offer.id}`)).statusCode, 404);
    });

    it('a customer gets 403 on every admin offer route; /offers/active is public', async () => {
      const { token } = await t.customer();
      for (const [method, url, payload] of [
        ['GET', '/api/offers', undefined],
        ['GET', '/api/offers/1', undefined],
        ['POST', '/api/offers', { name: 'X', discount_percent: 10, ...window }],
        ['PATCH', '/api/offers/1', { name: 'Y' }],
        ['DELETE', '/api/offers/1', undefined],
        ['POST', '/api/offers/1/apply/1', undefined],
      ] as const) {
        const res = await t.request({ method, url, payload, token });
        assert.equal(res.statusCode, 403, `${method} ${url}`);
      }
      assert.equal((await c.get('/api/offers/active')).statusCode, 200);
    });
  });
}
