import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { type RedisServer, startRedisServer } from './helpers/redis-server.js';
import { missingBinaries, REDIS_BINARY } from './helpers/services.js';

const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/*
 * A Redis server of the test's own is killed under a running app: requests must not wait for it
 * (no offline queue, no retries), rate limits keep applying per process, and it is used again once
 * it is back.
 */
const skip = missingBinaries(REDIS_BINARY);

describe('Redis outage', { skip }, () => {
  let redis: RedisServer;
  let t: TestApp;
  let strict: TestApp;
  let productId: number;

  before(async () => {
    redis = await startRedisServer();
    t = await buildTestApp('sqlite', { env: { REDIS_URL: redis.url } });
    strict = await buildTestApp('sqlite', {
      env: { REDIS_URL: redis.url, AUTH_RATE_LIMIT_MAX: '3', RATE_LIMIT_MAX: '5' },
    });
    productId = (await catalog(t).product({ name: 'Redis lamp', stock: 100000 })).id;
  });

  after(async () => {
    await strict?.close();
    await t?.close();
    await redis?.close();
  });

  const read = () =>
    t.request({ method: 'GET', url: `/api/products/${productId}`, remoteAddress: randomIp() });
  const ready = async () => {
    const res = await t.request({ method: 'GET', url: '/ready' });
    return { status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'] };
  };

  it('costs a catalog read no more than a few ms while Redis is down, keeps limits per process, and uses Redis again once it is back', async () => {
    assert.deepEqual((await ready()).body, { status: 'ready', checks: { database: 'up', redis: 'up' } });
    const buyer = await t.customer('redisbuyer');
    const loginTimes = async () => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { ms, result } = await timed(() =>
          t.request({
            method: 'POST',
            url: '/api/login',
            remoteAddress: randomIp(),
            payload: { username: buyer.username, password: buyer.password },
          }),
        );
        assert.equal(result.statusCode, 200, result.body);
        times.push(ms);
      }
      return times;
    };
    const checkoutTimes = async () => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        await t.request({
          method: 'POST',
          url: '/api/cart',
          token: buyer.token,
          payload: { product_id: productId, quantity: 1 },
        });
        const { ms, result } = await timed(() =>
          t.request({ method: 'POST', url: '/api/checkout', token: buyer.token }),
        );
        assert.equal(result.statusCode, 201, result.body);
        times.push(ms);
      }
      return times;
    };
    const loginUp = percentile(await loginTimes(), 50);
    const checkoutUp = percentile(await checkoutTimes(), 50);

    await redis.stop();
    // Measured from the moment Redis dies, when a client that queues or retries would make them wait.
    // 1,000 reads, so that p99 is not one scheduling hiccup of a busy machine.
    const reads: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const { ms, result } = await timed(read);
      assert.equal(result.statusCode, 200, result.body);
      reads.push(ms);
    }
    const p99 = percentile(reads, 99);
    const loginDown = percentile(await loginTimes(), 50);
    const checkoutDown = percentile(await checkoutTimes(), 50);
    console.log(
      `# Redis down: catalog read p50 ${percentile(reads, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ` +
        `login p50 ${loginUp.toFixed(1)} -> ${loginDown.toFixed(1)} ms; checkout p50 ${checkoutUp.toFixed(1)} -> ${checkoutDown.toFixed(1)} ms`,
    );
    assert.ok(p99 < 100, `p99 ${p99} ms`);

    const down = await ready();
    assert.equal(down.status, 503);
    assert.deepEqual(down.body.checks, { database: 'up', redis: 'down' });
    assert.ok(Number(down.retryAfter) > 0);

    // The limits still hold, counted by this process alone.
    const ip = randomIp();
    const login = () =>
      strict.app.inject({
        method: 'POST',
        url: '/api/login',
        remoteAddress: ip,
        payload: { username: `nobody${randomInt(1e9)}`, password: 'wrong-password' },
      });
    for (let i = 0; i < 3; i++) assert.equal((await login()).statusCode, 401);
    const refused = await login();
    assert.equal(refused.statusCode, 429, refused.body);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const other = randomIp();
    const general = [];
    for (let i = 0; i < 6; i++) {
      general.push(
        (await strict.app.inject({ method: 'GET', url: '/api/categories', remoteAddress: other })).statusCode,
      );
    }
    assert.deepEqual(general, [200, 200, 200, 200, 200, 429]);

    await redis.start();
    const startedAt = Date.now();
    while ((await ready()).status !== 200 && Date.now() - startedAt < 10_000) await sleep(50);
    console.log(`# Redis back: /ready 200 after ${Date.now() - startedAt} ms`);
    assert.deepEqual((await ready()).body, { status: 'ready', checks: { database: 'up', redis: 'up' } });
    // Shared counting resumed: a fresh Redis holds this address's count again.
    const counted = randomIp();
    await strict.app.inject({ method: 'GET', url: '/api/categories', remoteAddress: counted });
    const probe = new Redis(redis.url);
    try {
      assert.equal(await probe.get(`mercato:rl:${counted}`), '1');
    } finally {
      probe.disconnect();
    }
  });
});
