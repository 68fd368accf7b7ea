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
