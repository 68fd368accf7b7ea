import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/lib/clock.js';
import { ADMIN_PASSWORD, createTestDatabase, type TestDatabase } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { insertProduct, insertSerializedProduct, stockOf } from './helpers/orders.js';
import { type RunningServer, startServer } from './helpers/server.js';

/** An app process (the compiled server) on `databaseUrl`, already migrated by the test. */
function startApp(databaseUrl: string, jwtSecret: string): Promise<RunningServer> {
  return startServer({
    DATABASE_URL: databaseUrl,
    // One secret for both: a token issued by one process is accepted by the other.
    JWT_SECRET: jwtSecret,
    ADMIN_PASSWORD,
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
    LOG_LEVEL: 'silent',
  });
}

/*
 * The same races with the buyers spread over two app processes on one database: PostgreSQL (one
 * schema) and a SQLite file (WAL, BEGIN IMMEDIATE: writers of both processes queue on its lock).
 */
for (const dialect of testDialects()) {
  describe(`concurrency across two app processes (${dialect})`, () => {
    let database: TestDatabase;
    let servers: RunningServer[] = [];
    let tokens: string[] = [];
    const clock = new ManualClock(new Date());

    const call = async (server: number, method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${servers[server % servers.length]?.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    };

    before(async () => {
      database = await createTestDatabase(dialect, { file: true });
      const secret = randomBytes(32).toString('hex');
      const started = await Promise.allSettled([
        startApp(database.url, secret),
        startApp(database.url, secret),
      ]);
      // Keep whatever started, so after() stops it even when the other failed.
      servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      tokens = await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const credentials = { username: `proc${i}_${process.pid}`, password: 'correct-horse-1' };
          const base = servers[i % 2]?.url;
          const post = (path: string) =>
            fetch(`${base}${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(credentials),
            });
          assert.equal((await post('/api/register')).status, 201);
          return (await (await post('/api/login')).json()).access_token as string;
        }),
      );
    });

    after(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await database?.drop();
    });

    /** Every shopper puts one unit in the cart, then all check out at once, alternating processes. */
    async function race(productId: number) {
      for (const [i, token] of tokens.entries()) {
        const added = await call(i, 'POST', '/api/cart', token, { product_id: productId, quantity: 1 });
        assert.equal(added.status, 201, JSON.stringify(added.body));
      }
      const results = await Promise.all(tokens.map((token, i) => call(i, 'POST', '/api/checkout', token)));
      await Promise.all(
        tokens.map((token, i) =>
          fetch(`${servers[i % 2]?.url}/api/cart`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${token}` },
          }),
        ),
      );
      return results;
    }

    it('sells 20 units to exactly 20 of 60 buyers spread over two processes', async () => {
      const productId = await insertProduct({ db: database.db, clock }, { stock: 20 });
      const results = await race(productId);
      assert.equal(results.filter((r) => r.status === 201).length, 20);
      assert.equal(results.filter((r) => r.status === 409).length, 40);
      assert.ok(results.filter((r) => r.status === 409).every((r) => r.body.code === 'insufficient_stock'));
      assert.equal(await stockOf(database.db, productId), 0);
      const sold = await database.db
        .selectFrom('order_items')
        .select((eb) => eb.fn.sum<number>('quantity').as('n'))
        .where('product_id', '=', productId)
        .executeTakeFirstOrThrow();
      assert.equal(Number(sold.n), 20);
    });

    it('never sells a serialized unit twice across processes', async () => {
      const { id, serials } = await insertSerializedProduct({ db: database.db, clock }, 20);
      const results = await race(id);
      const created = results.filter((r) => r.status === 201);
      assert.equal(created.length, 20);
      const sold = created.flatMap((r) => r.body.order.items[0].serial_numbers as string[]);
      assert.equal(new Set(sold).size, 20);
      assert.deepEqual(sold.sort(), [...serials].sort());
      assert.equal(await stockOf(database.db, id), 0);
    });
  });
}
