import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildTestApp, type TestApp } from './helpers/app.js';

// Every route of ../shared/API.md, as METHOD path.
const CONTRACT = `
POST /api/register
POST /api/login
POST /api/refresh
POST /api/logout
GET /api/users/me
PATCH /api/users/me
DELETE /api/users/me
POST /api/user/profile-image
GET /api/user/profile-image
DELETE /api/user/profile-image
GET /api/admin/users
PATCH /api/admin/users/{id}
GET /api/categories
GET /api/categories/{id}/products
POST /api/categories
PATCH /api/categories/{id}
DELETE /api/categories/{id}
GET /api/products
GET /api/products/{id}
POST /api/products
PATCH /api/products/{id}
PUT /api/products/{id}
DELETE /api/products/{id}
POST /api/products/{id}/units
GET /api/products/{id}/units
GET /api/units/{serial_number}
POST /api/products/{id}/image
GET /api/products/{id}/image
DELETE /api/products/{id}/image
POST /api/products/{id}/images
DELETE /api/products/{id}/images/{image_id}
POST /api/offers
GET /api/offers
GET /api/offers/{id}
PATCH /api/offers/{id}
DELETE /api/offers/{id}
GET /api/offers/active
POST /api/offers/{offer_id}/apply/{product_id}
GET /api/cart
POST /api/cart
PATCH /api/cart/items/{product_id}
DELETE /api/cart/items/{product_id}
DELETE /api/cart
POST /api/checkout
GET /api/orders
GET /api/orders/{id}
POST /api/orders/{id}/cancel
GET /api/admin/orders
PATCH /api/orders/{id}/status
GET /api/products/{id}/recommendations
GET /api/admin/inventory
GET /health
GET /ready
`
  .trim()
  .split('\n')
  .map((line) => line.trim());

describe('OpenAPI document', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('sqlite');
  });
  after(() => t.close());

  it('is served at /api/openapi.json and validates as OpenAPI 3.1', async () => {
    const res = await t.request({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const spec = res.json();
    assert.equal(spec.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(spec);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
    assert.equal(validator.version, '3.1');
  });

  it('lists every route of the contract, each with a response schema', async () => {
    const spec = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json();
    const documented = new Set(
      Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const missing = CONTRACT.filter((route) => !documented.has(route));
    assert.deepEqual(missing, [], `routes missing from the OpenAPI document: ${missing.join(', ')}`);
    for (const [path, operations] of Object.entries(
      spec.paths as Record<string, Record<string, { responses?: object }>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        assert.ok(
          operation.responses && Object.keys(operation.responses).length > 0,
          `${method} ${path} has responses`,
        );
      }
    }
  });
});
