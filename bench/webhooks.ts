// npm run bench:webhooks: how many events per second one dispatcher delivers to a fast local
// receiver. BENCH_EVENTS (default 2000), WEBHOOK_CONCURRENCY (default 16), BENCH_DATABASE_URL
// (default: a fresh SQLite file; a postgres:// URL must point at an empty database or schema).
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createDatabase, dialectOf } from '../src/db/connect.js';
import { setupDatabase } from '../src/db/migrate.js';
import { systemClock } from '../src/lib/clock.js';
import { recordEvent } from '../src/modules/events/record.js';
import { WebhookDispatcher } from '../src/modules/webhooks/dispatcher.js';
import { generateSecret } from '../src/modules/webhooks/signing.js';
import { insertEndpoint, replaceSubscriptions } from '../src/modules/webhooks/webhooks.repository.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'mercato-bench-webhooks-'));
const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'bench.db')}`,
  ADMIN_PASSWORD: 'bench-admin-password',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_POLL_INTERVAL: '50ms',
  WEBHOOK_CONCURRENCY: process.env.WEBHOOK_CONCURRENCY ?? '16',
});
const db = createDatabase(config.database);
await setupDatabase(db, config);

let received = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received += 1;
    res.end();
  });
});
receiver.listen(0, '127.0.0.1');
await once(receiver, 'listening');

const now = new Date();
// A realistic payload: about the size of an order with two lines.
const data = {
  id: 1,
  user_id: 1,
  status: 'pending',
  items: [{ id: 1, product_name: 'x'.repeat(40) }],
  total: 1,
};
/** CPU time (user + system) of this process, in microseconds: steadier than wall time on a busy machine. */
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** Records `count` events, 100 per transaction; resolves with the CPU microseconds each cost. */
async function record(count: number): Promise<number> {
  const started = cpu();
  for (let done = 0; done < count; done += 100) {
    await db.transaction().execute(async (trx) => {
      for (let i = done; i < Math.min(count, done + 100); i++) {
        // biome-ignore lint/suspicious/noExplicitAny: a stand-in payload, not a real order
        await recordEvent(trx, { type: 'order.created', data: { ...data, id: i } as any, at: now });
      }
    });
  }
  return (cpu() - started) / count;
}

// The outbox write alone, as checkout pays it: with no endpoint (the event row and an empty
// fan-out), then with one subscribed endpoint (plus its delivery row).
await record(300); // warm-up: statements prepared, code compiled
const alone = await record(1000);
await db.deleteFrom('events').execute();
await db.transaction().execute(async (trx) => {
  const id = await insertEndpoint(trx, {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    description: 'bench',
    enabled: 1,
    secret: generateSecret(),
    previous_secret: null,
    previous_secret_expires_at: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  });
  await replaceSubscriptions(trx, id, ['*']);
});
const fannedOut = await record(EVENTS);
console.log(
  `outbox write (${dialectOf(db)}): ${alone.toFixed(0)} µs of CPU per event with no endpoint, ${fannedOut.toFixed(0)} µs with one subscribed`,
);

const dispatcher = new WebhookDispatcher({
  db,
  dialect: dialectOf(db),
  clock: systemClock,
  config: config.webhooks,
  log: pino({ level: 'warn' }),
});
const started = performance.now();
const startedCpu = cpu();
dispatcher.start();
while (received < EVENTS) await new Promise((resolve) => setTimeout(resolve, 20));
const seconds = (performance.now() - started) / 1000;
const cpuPerEvent = (cpu() - startedCpu) / EVENTS; // the receiver's share included
await dispatcher.stop();
console.log(
  `webhooks (${dialectOf(db)}, concurrency ${config.webhooks.concurrency}): ${EVENTS} events delivered in ${seconds.toFixed(2)} s → ${(EVENTS / seconds).toFixed(0)} events/s; ${cpuPerEvent.toFixed(0)} µs of CPU per event (dispatcher and receiver) → ${(1e6 / cpuPerEvent).toFixed(0)} events/s per core`,
);
receiver.close();
await db.destroy();
rmSync(dir, { recursive: true, force: true });
