import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

function problemOf(res: Answer, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  const body = JSON.parse(res.body);
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  return body;
}

/** What a raw TCP client gets back for bytes that may not even be HTTP. */
async function rawExchange(port: number, bytes: string): Promise<Answer> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end(bytes);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  const text = Buffer.concat(chunks).toString();
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body };
}

const NUL = '\u0000';

for (const dialect of testDialects()) {
  describe(`HTTP edges (${dialect})`, () => {
    let t: TestApp;
    let shop: ReturnType<typeof catalog>;
    before(async () => {
      t = await buildTestApp(dialect);
      shop = catalog(t);
    });
    after(() => t.close());

    it('a malformed URL is a 400 problem, with the request id', async () => {
      const res = await t.request({ method: 'GET', url: '/api/products/%E0%A4%A' });
      problemOf(res, 400, 'bad_request');
      assert.ok(res.headers['x-request-id']);
    });

    it('an over-long path parameter is a 414 problem', async () => {
      const res = await t.request({ method: 'GET', url: `/api/units/${'x'.repeat(500)}` });
      problemOf(res, 414, 'uri_too_long');
    });

    it('a 64 KB header is a 431 problem and garbage a 400 problem, on the socket', async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.server.address();
      assert.ok(address && typeof address === 'object');
      const big = await rawExchange(
        address.port,
        `GET /api/categories HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
      );
      problemOf(big, 431, 'header_too_large');
      const garbage = await rawExchange(address.port, 'HELLO THERE\r\n\r\n');
      problemOf(garbage, 400, 'bad_request');
    });

    it('a known path with the wrong method is a 405 with Allow, an unknown one a 404', async () => {
      const categories = await t.request({ method: 'DELETE', url: '/api/categories' });
      problemOf(categories, 405, 'method_not_allowed');
      assert.equal(categories.headers.allow, 'GET, HEAD, POST');
      const product = await t.request({ method: 'POST', url: '/api/products/1' });
      problemOf(product, 405, 'method_not_allowed');
      assert.equal(product.headers.allow, 'DELETE, GET, HEAD, PATCH, PUT');
      problemOf(await t.request({ method: 'DELETE', url: '/api/nowhere' }), 404, 'not_found');
    });

    it('a 401 carries WWW-Authenticate: Bearer, with invalid_token for a refused token', async () => {
      const anonymous = await t.request({ method: 'GET', url: '/api/users/me' });
      problemOf(anonymous, 401, 'unauthorized');
      assert.equal(anonymous.headers['www-authenticate'], 'Bearer realm="mercato"');
      const forged = await t.request({ method: 'GET', url: '/api/users/me', token: 'not.a.token' });
      problemOf(forged, 401, 'unauthorized');
      assert.equal(forged.headers['www-authenticate'], 'Bearer realm="mercato", error="invalid_token"');
      const basic = await t.request({
        method: 'GET',
        url: '/api/cart',
        headers: { authorization: 'Basic YTpi' },
      });
      assert.equal(basic.headers['www-authenticate'], 'Bearer realm="mercato", error="invalid_request"');
    });

    it('a body on a route that takes none is a 415, whatever its type, and changes nothing', async () => {
      const product = await shop.product({ name: 'Bodiless' });
      const token = await t.adminToken();
      const url = `/api/products/${product.id}/image`;
      const boundary = 'b0undary';
      const bodies = [
        {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          payload: `--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--${boundary}--\r\n`,
        },
        { 'content-type': 'application/json', payload: '{"anything":1}' },
        { 'content-type': 'text/plain', payload: 'hello' },
      ];
      for (const { payload, ...headers } of bodies) {
        const res = await t.request({ method: 'DELETE', url, token, headers, payload });
        problemOf(res, 415, 'unsupported_media_type');
      }
      const cancel = await t.request({
        method: 'POST',
        url: '/api/orders/1/cancel',
        token,
        payload: { x: 1 },
      });
      problemOf(cancel, 415, 'unsupported_media_type');
      // Without a body the route works as before.
      const res = await t.request({ method: 'DELETE', url, token });
      assert.notEqual(res.statusCode, 415, res.body);
    });

    it('a number beyond what the database holds is a 400 on every list route and id', async () => {
      const token = await t.adminToken();
      const spec = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json();
      const lists = Object.entries(
        spec.paths as Record<string, Record<string, { parameters?: { name: string }[] }>>,
      )
        .filter(([, ops]) => ops.get?.parameters?.some((p) => p.name === 'offset'))
        .map(([path]) => path.replaceAll(/\{[^}]+\}/g, '1'));
      assert.ok(lists.length >= 10, `list routes found: ${lists.join(' ')}`);
      for (const path of lists) {
        const res = await t.request({ method: 'GET', url: `${path}?offset=99999999999999999999`, token });
        problemOf(res, 400, 'validation_failed');
      }
      for (const url of ['/api/products/99999999999999999999', '/api/products?category_id=3000000000']) {
        problemOf(await t.request({ method: 'GET', url, token }), 400, 'validation_failed');
      }
    });

    it('a NUL byte in the login form, a product name or ?q= is a 400', async () => {
      const login = await t.request({
        method: 'POST',
        url: '/api/login',
        payload: { username: `admin${NUL}`, password: 'whatever-1' },
      });
      assert.equal(problemOf(login, 400, 'validation_failed').errors[0].path, '/username');
      const created = await shop.admin('POST', '/api/products', {
        name: `Lamp${NUL}`,
        price: 10,
        category_id: 1,
      });
      problemOf(created, 400, 'validation_failed');
      const search = await t.request({ method: 'GET', url: '/api/products?q=lamp%00' });
      assert.equal(problemOf(search, 400, 'validation_failed').errors[0].path, 'query:/q');
      const listed = await t.request({
        method: 'GET',
        url: '/api/products?q=Lamp',
        token: await t.adminToken(),
      });
      assert.equal(listed.json().length, 0, 'nothing was written');
    });
  });

  describe(`CORS (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { env: { CORS_ORIGINS: 'https://shop.example' } });
    });
    after(() => t.close());

    it('the preflight allows every method the API uses', async () => {
      const res = await t.request({
        method: 'OPTIONS',
        url: '/api/cart/items/1',
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers['access-control-allow-origin'], 'https://shop.example');
      assert.deepEqual(String(res.headers['access-control-allow-methods']).split(', '), [
        'GET',
        'HEAD',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
      ]);
    });

    it('exposes the headers a client reads', async () => {
      const res = await t.request({
        method: 'GET',
        url: '/api/products',
        headers: { origin: 'https://shop.example' },
      });
      assert.deepEqual(String(res.headers['access-control-expose-headers']).split(', '), [
        'X-Total-Count',
        'Link',
        'ETag',
        'Retry-After',
        'X-Request-Id',
        'Location',
      ]);
    });

    it('without CORS_ORIGINS, no origin is allowed and a preflight is a 405 problem', async () => {
      const closed = await buildTestApp(dialect);
      try {
        const preflight = await closed.request({
          method: 'OPTIONS',
          url: '/api/cart/items/1',
          headers: { origin: 'https://shop.example', 'access-control-request-method': 'PATCH' },
        });
        assert.equal(preflight.statusCode, 405);
        assert.equal(preflight.json().status, 405);
        assert.equal(preflight.headers['access-control-allow-origin'], undefined);
        const read = await closed.request({
          method: 'GET',
          url: '/api/products',
          headers: { origin: 'https://shop.example' },
        });
        assert.equal(read.statusCode, 200);
        assert.equal(read.headers['access-control-allow-origin'], undefined);
        assert.equal(read.headers['access-control-expose-headers'], undefined);
      } finally {
        await closed.close();
      }
    });
  });
}
