import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { ADMIN_PASSWORD, createTestDatabase, type TestDatabase, testConfig } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { startServer } from './helpers/server.js';
import { type Receiver, startReceiver } from './helpers/webhook-receiver.js';

const DISPATCH_ENV = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_TIMEOUT: '2s', // a claim's lease is three times this
  WEBHOOK_POLL_INTERVAL: '100ms',
};

/** Runs the compiled `npm run worker` (scripts/test.mjs builds it); resolves once it has started. */
async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const script = 'dist/worker.js';
  const ready = /webhook worker started/;
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, NODE_ENV: 'test', ADMIN_PASSWORD, LOG_LEVEL: 'info', ...DISPATCH_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${script} exited (${code}) before it was ready:\n${output}`)),
    );
  });
  return child;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await once(child, 'exit');
}

for (const dialect of testDialects()) {
  describe(`webhook dispatchers in other processes (${dialect})`, () => {
    let database: TestDatabase;
    let app: FastifyInstance;
    let admin: string;
    let receiver: Receiver;
    const children: ChildProcess[] = [];

    before(async () => {
      database = await createTestDatabase(dialect, { file: true });
      // This process only writes (it never listens, so it runs no dispatcher); others deliver.
      app = await buildApp(testConfig({ DATABASE_URL: database.url, ...DISPATCH_ENV }), { db: database.db });
      const login = await app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      });
      admin = login.json().access_token;
      receiver = await startReceiver();
    });
    after(async () => {
      for (const child of children) await stop(child);
      await receiver?.close();
      await app?.close();
      await database?.drop();
    });

    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${admin}` },
        ...(payload ? { payload } : {}),
      });

    async function subscribe(): Promise<number> {
      const res = await call('POST', '/api/admin/webhooks', {
        url: receiver.url,
        events: ['product.created'],
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id;
    }
    /** `count` product.created events; resolves with their ids. */
    async function createEvents(count: number): Promise<string[]> {
      const before = new Set(await eventIds());
      for (let i = 0; i < count; i++) {
        const res = await call('POST', '/api/products', { name: `P${i}`, price: 1, category_id: 1 });
        assert.equal(res.statusCode, 201, res.body);
      }
      return (await eventIds()).filter((id: string) => !before.has(id));
    }
    const eventIds = async () =>
      (await call('GET', '/api/admin/events?type=product.created&limit=100'))
        .json()
        .map((e: { id: string }) => e.id);
    const pendingDeliveries = async () =>
      (
        await database.db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', '!=', 'delivered')
          .execute()
      ).length;
    const waitUntilDelivered = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while ((await pendingDeliveries()) > 0) {
        if (Date.now() > deadline)
          throw new Error(`${await pendingDeliveries()} deliveries still not delivered`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    it('a worker killed mid-delivery loses nothing: a restarted worker delivers every event', async () => {
      const endpoint = await subscribe();
      try {
        receiver.received.length = 0;
        receiver.answer = () => 'hang';
        const ids = await createEvents(12);
        const worker = await startWorker({ DATABASE_URL: database.url, WEBHOOK_CONCURRENCY: '4' });
        children.push(worker);
        await receiver.waitFor((got) => got.length >= 4);
        await stop(worker, 'SIGKILL'); // four deliveries claimed and in flight, eight never touched

        receiver.answer = () => 200;
        const restarted = await startWorker({ DATABASE_URL: database.url });
        children.push(restarted);
        await waitUntilDelivered(30_000);
        const answered = new Set(receiver.received.slice(4).map((r) => r.id));
        assert.deepEqual([...answered].sort(), [...ids].sort());
        await stop(restarted);
      } finally {
        await call('DELETE', `/api/admin/webhooks/${endpoint}`);
      }
    });

    it('two app processes deliver every event once: duplicates are rare', async () => {
      const endpoint = await subscribe();
      try {
        receiver.received.length = 0;
        receiver.answer = () => 200;
        // A backlog first, so that both processes start on it together and contend for every row.
        const ids = await createEvents(100);
        const servers = await Promise.all(
          [0, 1].map(() => startServer({ DATABASE_URL: database.url, ADMIN_PASSWORD, ...DISPATCH_ENV })),
        );
        children.push(...servers.map((server) => server.proc));
        await waitUntilDelivered(60_000);
        const unique = new Set(receiver.received.map((r) => r.id));
        assert.deepEqual([...unique].sort(), [...ids].sort());
        const duplicates = receiver.received.length - unique.size;
        console.log(
          `# ${dialect}: ${ids.length} events, ${duplicates} duplicate deliveries across two processes`,
        );
        assert.ok(duplicates <= 1, `${duplicates} duplicates`);
        for (const server of servers) await server.stop();
      } finally {
        await call('DELETE', `/api/admin/webhooks/${endpoint}`);
      }
    });
  });
}
