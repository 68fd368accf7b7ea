import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import type { Db } from '../src/db/database.js';
import { ManualClock } from '../src/lib/clock.js';
import { ADMIN_PASSWORD, buildTestApp, createTestDatabase, testConfig } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, insertProduct, stockOf } from './helpers/orders.js';
import { newWebhookSecret, payWith } from './helpers/payments.js';
import { startServer } from './helpers/server.js';

/** Polls until `check` holds (the expiry job runs on its own timer), failing after `ms`. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const cancelledEvents = async (db: Db, orderId: number) =>
  (
    await db
      .selectFrom('order_events')
      .select('type')
      .where('order_id', '=', orderId)
      .where('type', '=', 'order.cancelled')
      .execute()
  ).length;

for (const dialect of testDialects()) {
  describe(`payment expiry (${dialect})`, () => {
    const env = {
      PAYMENT_TIMEOUT: '5s',
      PAYMENT_TEST_WEBHOOK_SECRET: newWebhookSecret(),
      JWT_SECRET: randomBytes(32).toString('hex'),
    };

    it('cancels an order left awaiting_payment past PAYMENT_TIMEOUT and returns its stock', async () => {
      const t = await buildTestApp(dialect, { env });
      after(() => t.close());
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 5 });
      await addToCart(t, token, productId, 2);
      const { order } = (await payWith(t, token, 'tok_3ds')).json();
      assert.equal(await stockOf(t.db, productId), 3);
      t.clock.advance(4_000);
      await sleep(1_500); // a tick or more of the job: not yet due
      const waiting = (await t.request({ method: 'GET', url: `/api/orders/${order.id}`, token })).json();
      assert.equal(waiting.status, 'awaiting_payment');

      t.clock.advance(1_000);
      await eventually(async () => (await stockOf(t.db, productId)) === 5, 'the order to expire');
      const expired = (await t.request({ method: 'GET', url: `/api/orders/${order.id}`, token })).json();
      assert.deepEqual(
        [expired.status, expired.payment_status, expired.payment.status, expired.cancelled_at],
        ['cancelled', 'failed', 'failed', t.clock.now().toISOString()],
      );
      const events = (
        await t.request({ method: 'GET', url: `/api/orders/${order.id}/events`, token })
      ).json();
      assert.deepEqual(
        events.slice(-2).map((e: { type: string; actor: string }) => [e.type, e.actor]),
        [
          ['order.cancelled', 'system'],
          ['payment.failed', 'system'],
        ],
      );
      // The customer's confirmation after the expiry changes nothing.
      const late = await t.request({
        method: 'POST',
        url: `/api/payments/${order.payment.id}/confirm`,
        token,
      });
      assert.equal(late.json().status, 'cancelled');
    });

    it('expires orders that timed out while no process ran, once with two processes', async () => {
      const clock = new ManualClock(new Date());
      const t = await buildTestApp(dialect, { env, clock, file: true });
      const apps: FastifyInstance[] = [];
      after(async () => {
        for (const app of apps) await app.close();
        await t.close();
      });
      const { token } = await t.customer();
      const productId = await insertProduct(t, { stock: 4 });
      await addToCart(t, token, productId, 3);
      const { order } = (await payWith(t, token, 'tok_3ds')).json();
      await t.app.close(); // "the process stops"

      clock.advance(60_000);
      // Two processes start on the same database: each runs the expiry at start.
      const config = testConfig({ DATABASE_URL: t.databaseUrl, UPLOAD_DIR: t.uploadDir, ...env });
      for (let i = 0; i < 2; i++) apps.push(await buildApp(config, { db: t.db, clock }));
      await Promise.all(apps.map((app) => app.ready()));
      await eventually(async () => (await stockOf(t.db, productId)) === 4, 'the order to expire at start');
      await sleep(2_500); // both processes ticked again meanwhile
      assert.equal(await stockOf(t.db, productId), 4);
      assert.equal(await cancelledEvents(t.db, order.id), 1);
      const seen = await apps[1]?.inject({
        method: 'GET',
        url: `/api/orders/${order.id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(seen?.json().status, 'cancelled');
    });

    it('a process killed between the order’s commit and the provider’s answer leaves an order that expires', async () => {
      const database = await createTestDatabase(dialect, { file: true });
      const servers: { stop(signal?: NodeJS.Signals): Promise<number | null> }[] = [];
      after(async () => {
        for (const server of servers) await server.stop('SIGKILL');
        await database.drop();
      });
      const productId = await insertProduct(
        { db: database.db, clock: new ManualClock(new Date()) },
        { stock: 6 },
      );
      const serverEnv = {
        DATABASE_URL: database.url,
        JWT_SECRET: env.JWT_SECRET,
        ADMIN_PASSWORD,
        RATE_LIMIT_MAX: '100000',
        AUTH_RATE_LIMIT_MAX: '100000',
      };
      const first = await startServer({ ...serverEnv, PAYMENT_TIMEOUT: '30m' });
      servers.push(first);
      const api = (base: string, path: string, token: string | null, body?: unknown) =>
        fetch(`${base}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const credentials = { username: `killed_${process.pid}`, password: 'correct-horse-1' };
      assert.equal((await api(first.url, '/api/register', null, credentials)).status, 201);
      const { access_token: token } = await (await api(first.url, '/api/login', null, credentials)).json();
      assert.equal(
        (await api(first.url, '/api/cart', token, { product_id: productId, quantity: 2 })).status,
        201,
      );

      // The provider never answers: the order is committed, the process is waiting on the provider.
      const pending = api(first.url, '/api/checkout', token, {
        payment: { provider: 'test', token: 'tok_no_answer' },
      }).catch((error: Error) => error);
      const orderRow = () =>
        database.db.selectFrom('orders').select(['id', 'status', 'placed_at']).executeTakeFirst();
      await eventually(async () => (await orderRow()) !== undefined, 'the checkout to commit its order');
      await first.stop('SIGKILL');
      assert.ok((await pending) instanceof Error, 'the request died with the process');
      assert.deepEqual(
        { ...(await orderRow()), id: 0 },
        { id: 0, status: 'awaiting_payment', placed_at: null },
      );
      assert.equal(await stockOf(database.db, productId), 4);

      // A later start, with a short timeout, finds the order overdue and returns its stock.
      await sleep(1_100);
      const second = await startServer({ ...serverEnv, PAYMENT_TIMEOUT: '1s' });
      servers.push(second);
      await eventually(
        async () => (await orderRow())?.status === 'cancelled',
        'the orphaned order to expire',
      );
      const product = await (await api(second.url, `/api/products/${productId}`, null)).json();
      assert.equal(product.stock, 6);
      assert.deepEqual(await (await api(second.url, '/api/orders', token)).json(), []);
    });
  });
}
