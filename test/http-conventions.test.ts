import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';

for (const dialect of testDialects()) {
  describe(`HTTP conventions (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    const problem = (res: {
      statusCode: number;
      headers: Record<string, unknown>;
      json(): Record<string, unknown>;
    }) => {
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      const body = res.json();
      for (const key of ['type', 'title', 'status', 'detail', 'code'])
        assert.ok(key in body, `problem has ${key}`);
      assert.equal(body.status, res.statusCode);
      return body;
    };

    it('malformed JSON is a 400 problem', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/api/register',
        headers: { 'content-type': 'application/json' },
        payload: '{"username": "x",',
      });
      assert.equal(res.statusCode, 400);
      assert.equal(problem(res).code, 'invalid_json');
    });

    it('a wrong content type is a 415 problem', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/api/register',
        headers: { 'content-type': 'text/plain' },
        payload: 'username=x',
      });
      assert.equal(res.statusCode, 415);
      assert.equal(problem(res).code, 'unsupported_media_type');
    });

    it('a 2 MiB JSON body is a 413 problem', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/api/register',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ username: 'big', password: 'x'.repeat(2 * 1024 * 1024) }),
      });
      assert.equal(res.statusCode, 413);
      assert.equal(problem(res).code, 'payload_too_large');
    });

    it('unknown routes are a 404 problem, never HTML', async () => {
      for (const url of ['/api/nothing-here', '/nothing', '/api/users/me/extra']) {
        const res = await t.request({ method: 'GET', url });
        assert.equal(res.statusCode, 404);
        assert.equal(problem(res).code, 'not_found');
      }
    });

    it('echoes X-Request-Id, or generates one', async () => {
      const echoed = await t.request({
        method: 'GET',
        url: '/health',
        headers: { 'x-request-id': 'abc-123' },
      });
      assert.equal(echoed.headers['x-request-id'], 'abc-123');
      const generated = await t.request({ method: 'GET', url: '/health' });
      assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    it('sends security headers on every response, problems included', async () => {
      const answers = [
        await t.request({ method: 'GET', url: '/health' }),
        await t.request({ method: 'GET', url: '/api/nothing-here' }),
        await t.request({ method: 'GET', url: '/api/cart' }),
        await t.request({ method: 'POST', url: '/api/login', payload: { username: 1 } }),
      ];
      assert.deepEqual(
        answers.map((res) => res.statusCode),
        [200, 404, 401, 400],
      );
      for (const res of answers) {
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
        assert.equal(res.headers['referrer-policy'], 'no-referrer');
        assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
        assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
        assert.match(String(res.headers['content-security-policy']), /^default-src 'self';/);
        assert.match(
          String(res.headers['content-security-policy']),
          /img-src 'self' data: validator\.swagger\.io/,
        );
        assert.equal(res.headers['x-powered-by'], undefined);
      }
      // The admin app's own policy replaces the API's (no inline scripts there).
      const admin = await t.request({ method: 'GET', url: '/admin' });
      assert.match(
        String(admin.headers['content-security-policy']),
        /^default-src 'self'; script-src 'self';/,
      );
      assert.equal(admin.headers['x-content-type-options'], 'nosniff');
    });

    it('/health and /ready answer', async () => {
      assert.deepEqual((await t.request({ method: 'GET', url: '/health' })).json(), { status: 'ok' });
      assert.deepEqual((await t.request({ method: 'GET', url: '/ready' })).json(), {
        status: 'ready',
        checks: { database: 'up' },
      });
    });

    it('/docs serves the reference page', async () => {
      const res = await t.request({ method: 'GET', url: '/docs/' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /swagger/i);
    });
  });

  describe(`failures (${dialect})`, () => {
    it('a bug becomes a 500 problem without a stack, the log has it; /ready fails when the database is gone', async () => {
      const logs = new PassThrough();
      const lines: string[] = [];
      logs.on('data', (chunk) => lines.push(...String(chunk).split('\n').filter(Boolean)));
      const t = await buildTestApp(dialect, { env: { LOG_LEVEL: 'error' }, logStream: logs });
      const user = await t.customer('doomed');
      await t.db.destroy(); // the database goes away under a running app
      try {
        const res = await t.request({
          method: 'GET',
          url: '/api/users/me',
          token: user.token,
          headers: { 'x-request-id': 'req-500' },
        });
        assert.equal(res.statusCode, 500);
        const body = res.json();
        assert.equal(body.code, 'internal_error');
        assert.equal(body.request_id, 'req-500');
        assert.doesNotMatch(res.body, /at .*\.ts|node_modules|select|destroyed/i);
        const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.reqId === 'req-500');
        assert.ok(logged, 'the error is logged with the request id');
        assert.match(logged.err.stack, /\n\s+at /);

        const ready = await t.request({ method: 'GET', url: '/ready' });
        assert.equal(ready.statusCode, 503);
        assert.equal(ready.json().code, 'service_unavailable');
      } finally {
        await t.close();
      }
    });

    it('request lines carry the request id at info level, and none are written at warn', async () => {
      const logged = async (level: string) => {
        const logs = new PassThrough();
        const lines: { reqId?: string; msg: string }[] = [];
        logs.on('data', (chunk) =>
          lines.push(
            ...String(chunk)
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l)),
          ),
        );
        const t = await buildTestApp(dialect, { env: { LOG_LEVEL: level }, logStream: logs });
        try {
          await t.request({ method: 'GET', url: '/health', headers: { 'x-request-id': 'req-log' } });
        } finally {
          await t.close();
        }
        return lines.filter((line) => line.reqId === 'req-log').map((line) => line.msg);
      };
      assert.deepEqual(await logged('info'), ['incoming request', 'request completed']);
      assert.deepEqual(await logged('warn'), []);
    });
  });
}
