import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testRedisUrl } from './helpers/env.js';

// Each test uses its own client address, so runs sharing one Redis never count each other's requests.
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

async function attempt(t: TestApp, ip: string, username: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/login',
    remoteAddress: ip,
    payload: { username, password: 'wrong-password' },
  });
}

describe('rate limits', () => {
  it('login is limited per IP: 429 problem with Retry-After', async () => {
    const t = await buildTestApp('sqlite', { env: { AUTH_RATE_LIMIT_MAX: '3' } });
    try {
      const ip = randomIp();
      for (let i = 0; i < 3; i++) assert.equal((await attempt(t, ip, `someone${i}`)).statusCode, 401);
      const limited = await attempt(t, ip, 'someone-else');
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().code, 'rate_limited');
      assert.equal(limited.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      // Another client is unaffected.
      assert.equal((await attempt(t, randomIp(), 'someone')).statusCode, 401);
    } finally {
      await t.close();
    }
  });

  it('login is limited per username across IPs (distributed guessing)', async () => {
    const t = await buildTestApp('sqlite', { env: { AUTH_RATE_LIMIT_MAX: '3' } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await attempt(t, randomIp(), 'victim')).statusCode, 401);
      assert.equal((await attempt(t, randomIp(), 'VICTIM')).statusCode, 429);
    } finally {
      await t.close();
    }
  });

  it('the general limit applies per IP to every route', async () => {
    const t = await buildTestApp('sqlite', { env: { RATE_LIMIT_MAX: '5' } });
    try {
      const ip = randomIp();
      for (let i = 0; i < 5; i++) {
        assert.equal(
          (await t.app.inject({ method: 'GET', url: '/api/users/me', remoteAddress: ip })).statusCode,
          401,
        );
      }
      const limited = await t.app.inject({ method: 'GET', url: '/api/users/me', remoteAddress: ip });
      assert.equal(limited.statusCode, 429);
    } finally {
      await t.close();
    }
  });

  it('believes X-Forwarded-For only from the proxies named in TRUST_PROXY', async () => {
    // Production, as an operator runs it: a client reaching the app directly, even from a private
    // address, must not choose the address its limits count against.
    const env = {
      NODE_ENV: 'production',
      JWT_SECRET: 'j'.repeat(32),
      AUTH_RATE_LIMIT_MAX: '2',
      LOG_LEVEL: 'silent',
    };
    const forwarded = (t: TestApp, from: string, client: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/login',
        remoteAddress: from,
        headers: { 'x-forwarded-for': client },
        payload: { username: `nobody${randomInt(1e9)}`, password: 'wrong-password' },
      });
    const direct = await buildTestApp('sqlite', { env });
    try {
      const from = randomIp();
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await forwarded(direct, from, randomIp())).statusCode);
      assert.deepEqual(statuses, [401, 401, 429]);
    } finally {
      await direct.close();
    }
    const proxied = await buildTestApp('sqlite', { env: { ...env, TRUST_PROXY: '10.0.0.0/8' } });
    try {
      const proxy = randomIp();
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await forwarded(proxied, proxy, randomIp())).statusCode);
      assert.deepEqual(statuses, [401, 401, 401], 'each forwarded client has its own budget');
      const client = randomIp();
      for (let i = 0; i < 2; i++) assert.equal((await forwarded(proxied, proxy, client)).statusCode, 401);
      assert.equal((await forwarded(proxied, proxy, client)).statusCode, 429);
      // Not a named proxy: its header is ignored.
      const outsider = '203.0.113.7';
      assert.equal((await forwarded(proxied, outsider, randomIp())).statusCode, 401);
      assert.equal((await forwarded(proxied, outsider, randomIp())).statusCode, 401);
      assert.equal((await forwarded(proxied, outsider, randomIp())).statusCode, 429);
    } finally {
      await proxied.close();
    }
  });

  const redisUrl = testRedisUrl();
  it('two app instances share one budget through Redis', {
    skip: !redisUrl && 'TEST_REDIS_URL is not set',
  }, async () => {
    const env = { AUTH_RATE_LIMIT_MAX: '4', REDIS_URL: redisUrl ?? '' };
    const a = await buildTestApp('sqlite', { env });
    const b = await buildTestApp('sqlite', { env });
    try {
      const ip = randomIp();
      const user = `shared${randomInt(1e9)}`;
      assert.equal((await attempt(a, ip, user)).statusCode, 401);
      assert.equal((await attempt(b, ip, user)).statusCode, 401);
      assert.equal((await attempt(a, ip, user)).statusCode, 401);
      assert.equal((await attempt(b, ip, user)).statusCode, 401);
      const limited = await attempt(a, ip, user);
      assert.equal(limited.statusCode, 429);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await attempt(b, ip, `${user}x`)).statusCode, 429);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
