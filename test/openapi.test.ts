import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

  interface Response {
    $ref?: string;
    headers?: Record<string, unknown>;
    content?: Record<string, { schema: unknown }>;
  }
  interface Operation {
    operationId?: string;
    security?: Record<string, string[]>[];
    parameters?: { name: string; in: string }[];
    responses: Record<string, Response>;
  }
  const operationsOf = async () => {
    const spec = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json();
    const operations = Object.entries(spec.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method, path, op })),
    );
    return { spec, operations };
  };

  it('gives every operation a unique camelCase operationId', async () => {
    const { operations } = await operationsOf();
    const ids = operations.map(({ method, path, op }) => op.operationId ?? `(none on ${method} ${path})`);
    for (const id of ids) assert.match(id, /^[a-z][A-Za-z]+$/);
    assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.join(', ')}`);
    const byRoute = new Map(operations.map(({ method, path, op }) => [`${method} ${path}`, op.operationId]));
    assert.equal(byRoute.get('get /api/products'), 'listProducts');
    assert.equal(byRoute.get('post /api/cart'), 'addCartItem');
    assert.equal(byRoute.get('post /api/checkout'), 'checkout');
  });

  it('documents every error as one shared application/problem+json response per status', async () => {
    const { spec, operations } = await operationsOf();
    const shared = spec.components.responses as Record<string, Response>;
    for (const { method, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        assert.match(
          response.$ref ?? '',
          /^#\/components\/responses\/[A-Za-z]+$/,
          `${method} ${path} ${status}`,
        );
      }
    }
    for (const [name, response] of Object.entries(shared)) {
      assert.deepEqual(
        response.content,
        { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        name,
      );
    }
    assert.ok(shared.TooManyRequests?.headers?.['Retry-After']);
    assert.ok(shared.ServiceUnavailable?.headers?.['Retry-After']);
  });

  it('documents paging headers on lists, ETag and 304 on catalog GETs, 429 wherever a limit applies', async () => {
    const { operations } = await operationsOf();
    const find = (method: string, path: string) =>
      operations.find((o) => o.method === method && o.path === path)!.op;
    for (const { method, path, op } of operations) {
      const paged = op.parameters?.some((p) => p.in === 'query' && p.name === 'limit');
      const ok = op.responses[200] ?? op.responses[201];
      if (paged && path !== '/api/products/{id}/recommendations') {
        assert.ok(ok?.headers?.['X-Total-Count'] && ok.headers.Link, `${method} ${path} paging headers`);
      }
      const unlimited = ['/health', '/ready', '/media/{dir}/{file}'].includes(path);
      assert.equal(Boolean(op.responses[429]), !unlimited, `${method} ${path} 429`);
    }
    for (const path of [
      '/api/products',
      '/api/products/{id}',
      '/api/categories',
      '/api/categories/{id}/products',
      '/api/offers/active',
      '/api/products/{id}/recommendations',
    ]) {
      const op = find('get', path);
      assert.ok(op.responses[200]?.headers?.ETag && op.responses[304], `${path} ETag and 304`);
    }
  });

  it('has a server, and security that matches what each operation does without a token', async () => {
    const { spec, operations } = await operationsOf();
    assert.deepEqual(spec.servers, [{ url: '/', description: 'This server' }]);
    for (const { method, path, op } of operations) {
      assert.ok(Array.isArray(op.security), `${method} ${path} states its security`);
      if (path === '/mcp' && method !== 'post') continue;
      const url = path.replaceAll(/\{(\w+)\}/g, (_, name: string) =>
        name === 'serial_number' ? 'SN-1' : '1',
      );
      const res = await t.request({ method: method.toUpperCase() as 'GET', url });
      const schemes = op.security!.flatMap((s) => Object.keys(s));
      const bearerOnly = op.security!.length > 0 && !op.security!.some((s) => Object.keys(s).length === 0);
      // A refresh token may come in the body instead of the header, but one of them is required.
      const needsCredential = bearerOnly || schemes.includes('refreshToken');
      assert.equal(
        res.statusCode === 401,
        needsCredential,
        `${method} ${path}: ${res.statusCode} vs security`,
      );
    }
  });

  it('documents GET and DELETE /mcp as the 405 problem they answer', async () => {
    const { operations } = await operationsOf();
    for (const method of ['get', 'delete']) {
      const op = operations.find((o) => o.method === method && o.path === '/mcp')!.op;
      assert.deepEqual(Object.keys(op.responses), ['405', '429']);
      const res = await t.request({ method: method.toUpperCase() as 'GET', url: '/mcp' });
      assert.equal(res.statusCode, 405);
      assert.equal(res.headers.allow, 'POST');
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json().code, 'method_not_allowed');
    }
  });

  it('titles the /docs page for Mercato', async () => {
    const res = await t.request({ method: 'GET', url: '/docs/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<title>Mercato API<\/title>/);
  });

  it('passes redocly lint with 0 errors (npm run lint:openapi)', () => {
    const run = spawnSync('npm', ['run', '--silent', 'lint:openapi'], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  });
});
