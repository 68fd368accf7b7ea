import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';

// Every admin-only route of ../shared/API.md. Bodies are valid where it matters, so a missing
// guard would show as a 2xx/4xx other than 401/403 rather than hide behind validation.
const ADMIN_ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/admin/users'],
  ['PATCH', '/api/admin/users/1', { is_admin: false }],
  ['POST', '/api/categories', { name: 'Guarded' }],
  ['PATCH', '/api/categories/1', { name: 'Renamed' }],
  ['DELETE', '/api/categories/20'],
  ['POST', '/api/products', { name: 'Guarded', price: 1, stock: 1, category_id: 1 }],
  ['PATCH', '/api/products/1', { price: 0.01 }],
  ['PUT', '/api/products/1', { price: 0.01 }],
  ['DELETE', '/api/products/1'],
  ['POST', '/api/products/1/units', { count: 1 }],
  ['GET', '/api/products/1/units'],
  ['GET', '/api/units/SN-1'],
  ['POST', '/api/products/1/image'],
  ['DELETE', '/api/products/1/image'],
  ['POST', '/api/products/1/images'],
  ['DELETE', '/api/products/1/images/1'],
  [
    'POST',
    '/api/offers',
    { name: 'X', discount_percent: 5, start_time: '2026-01-01T00:00:00Z', end_time: '2027-01-01T00:00:00Z' },
  ],
  ['GET', '/api/offers'],
  ['GET', '/api/offers/1'],
  ['PATCH', '/api/offers/1', { name: 'Y' }],
  ['DELETE', '/api/offers/1'],
  ['POST', '/api/offers/1/apply/1'],
  ['GET', '/api/admin/orders'],
  ['PATCH', '/api/orders/1/status', { status: 'shipped' }],
  ['POST', '/api/orders/1/shipments', { carrier: 'DHL', tracking_number: 'X1' }],
  ['POST', '/api/orders/1/deliver'],
  ['POST', '/api/orders/1/capture'],
  ['POST', '/api/orders/1/refunds', { amount: 1 }],
  ['GET', '/api/admin/inventory'],
  ['POST', '/api/admin/webhooks', { url: 'https://hooks.example.com/x', events: ['*'] }],
  ['GET', '/api/admin/webhooks'],
  ['GET', '/api/admin/webhooks/1'],
  ['PATCH', '/api/admin/webhooks/1', { enabled: false }],
  ['DELETE', '/api/admin/webhooks/1'],
  ['POST', '/api/admin/webhooks/1/rotate-secret'],
  ['GET', '/api/admin/webhooks/1/deliveries'],
  ['POST', '/api/admin/webhook-deliveries/1/retry'],
  ['GET', '/api/admin/events'],
];

describe('admin guard', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(() => t.close());

  it('every admin route is 401 without a token and 403 for a customer, and changes nothing', async () => {
    const customer = await t.customer('guard');
    const count = async () =>
      Promise.all(
        ['users', 'categories', 'products', 'offers', 'units', 'orders', 'webhook_endpoints'].map(
          async (table) =>
            Number(
              (
                await t.db
                  .selectFrom(table as 'users')
                  .select((eb) => eb.fn.countAll<number>().as('n'))
                  .executeTakeFirstOrThrow()
              ).n,
            ),
        ),
      );
    const before = await count();
    for (const [method, url, payload] of ADMIN_ROUTES) {
      const options = { method: method as 'GET', url, ...(payload ? { payload: payload as object } : {}) };
      const anonymous = await t.request(options);
      assert.equal(anonymous.statusCode, 401, `${method} ${url} anonymous`);
      const res = await t.request({ ...options, token: customer.token });
      assert.equal(res.statusCode, 403, `${method} ${url} as a customer`);
      assert.equal(res.json().code, 'forbidden');
    }
    assert.deepEqual(await count(), before);
  });
});
