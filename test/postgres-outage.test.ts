import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ADMIN_PASSWORD } from './helpers/app.js';
import { type PostgresCluster, startPostgresCluster } from './helpers/pg-cluster.js';
import { type RunningServer, startServer } from './helpers/server.js';
import { missingBinaries, POSTGRES_BINARIES } from './helpers/services.js';

/*
 * A real server process on a PostgreSQL cluster of the test's own, which is shut down (fast, as a
 * restart or failover does) and started again while requests keep coming.
 */
const skip = missingBinaries(...POSTGRES_BINARIES);

describe('PostgreSQL restart under load', { skip }, () => {
  let cluster: PostgresCluster;
  let server: RunningServer;
  let token: string;
  let adminToken: string;
  let productId: number;

  const call = async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
    const res = await fetch(new URL(path, server.url), {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  };
  const login = async (username: string, password: string) => {
    const res = await call('POST', '/api/login', { body: { username, password } });
    assert.equal(res.status, 200, res.text);
    return res.json().access_token as string;
  };

  before(async () => {
    cluster = await startPostgresCluster();
    server = await startServer({
      DATABASE_URL: cluster.url,
      ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000',
      AUTH_RATE_LIMIT_MAX: '1000000',
    });
    adminToken = await login('admin', ADMIN_PASSWORD);
    const created = await call('POST', '/api/products', {
      token: adminToken,
      body: { name: 'Outage lamp', price: 20, stock: 100000, category_id: 1 },
    });
    assert.equal(created.status, 201, created.text);
    productId = created.json().id;
    const registered = await call('POST', '/api/register', {
      body: { username: 'outage_buyer', password: 'correct-horse-1' },
    });
    assert.equal(registered.status, 201, registered.text);
    token = await login('outage_buyer', 'correct-horse-1');
  });

  after(async () => {
    await server?.stop();
    await cluster?.close();
  });

  /** Shoppers browse, fill carts and check out (transactions in flight) until told to stop. */
  function load(shoppers: number) {
    const statuses: number[] = [];
    const failures: string[] = [];
    let running = true;
    const shopper = async () => {
      while (running) {
        for (const [method, path, body] of [
          ['GET', `/api/products/${productId}`],
          ['GET', '/api/users/me'],
          ['POST', '/api/cart', { product_id: productId, quantity: 1 }],
          ['POST', '/api/checkout'],
        ] as const) {
          try {
            const res = await call(method, path, { token, ...(body ? { body } : {}) });
            statuses.push(res.status);
            if (res.status >= 500 && res.status !== 503) failures.push(`${method} ${path}: ${res.text}`);
          } catch (error) {
            failures.push(`${method} ${path}: ${(error as Error).message}`); // the process is gone
          }
        }
      }
    };
    const done = Promise.all(Array.from({ length: shoppers }, shopper));
    return {
      statuses,
      failures,
      async stop() {
        running = false;
        await done;
      },
    };
  }

  it('answers 503 problems with Retry-After while PostgreSQL is down, and serves again within seconds, without a restart', async () => {
    const traffic = load(6);
    try {
      await sleep(500);
      await cluster.stop();
      const stoppedAt = Date.now();

      let ready = await call('GET', '/ready');
      for (let i = 0; ready.status !== 503 && i < 50; i++) ready = await call('GET', '/ready');
      assert.equal(ready.status, 503, ready.text);
      assert.equal(ready.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.ok(Number(ready.headers.get('retry-after')) > 0);
      assert.deepEqual(ready.json().checks, { database: 'down' });

      const me = await call('GET', '/api/users/me', { token });
      assert.equal(me.status, 503, me.text);
      assert.equal(me.json().code, 'service_unavailable');
      assert.ok(Number(me.headers.get('retry-after')) > 0);
      // The catalog cannot be answered from a cache that no longer hears about changes.
      const product = await call('GET', `/api/products/${productId}`);
      assert.equal(product.status, 503, product.text);
      assert.equal((await call('GET', '/health')).status, 200);
      const outageMs = Date.now() - stoppedAt;
      if (outageMs < 1500) await sleep(1500 - outageMs);

      await cluster.start();
      const startedAt = Date.now();
      let recovered = await call('GET', '/api/users/me', { token });
      while (recovered.status !== 200 && Date.now() - startedAt < 10_000) {
        await sleep(20);
        recovered = await call('GET', '/api/users/me', { token });
      }
      const recoveryMs = Date.now() - startedAt;
      console.log(`# PostgreSQL back: first 200 after ${recoveryMs} ms`);
      assert.equal(recovered.status, 200, recovered.text);
      assert.ok(recoveryMs < 5000, `recovered after ${recoveryMs} ms`);
      await sleep(500);
    } finally {
      await traffic.stop(); // also when an assertion failed: the shoppers must not spin on
    }

    assert.equal(server.proc.exitCode, null, 'the server process is still running');
    assert.deepEqual(traffic.failures, [], 'no 500s and no refused connections');
    assert.ok(traffic.statuses.includes(503), 'the load saw the outage');
    // (Shoppers share one cart, so a checkout may find it emptied by another: 400, not a fault.)
    const last = traffic.statuses.slice(-8);
    assert.ok(
      last.every((status) => status < 500),
      `served normally after the restart: ${last.join(' ')}`,
    );
  });

  it('after the restart, a change made by another process shows within a second (LISTEN is back)', async () => {
    const before = await call('GET', `/api/products/${productId}`);
    assert.equal(before.status, 200);
    const outside = new pg.Client({ connectionString: cluster.url });
    await outside.connect();
    await outside.query('update products set price_cents = 4242 where id = $1', [productId]);
    await outside.end();
    const deadline = Date.now() + 1000;
    let price = before.json().price;
    while (price !== 42.42 && Date.now() < deadline) {
      await sleep(20);
      price = (await call('GET', `/api/products/${productId}`)).json().price;
    }
    assert.equal(price, 42.42);
  });
});
