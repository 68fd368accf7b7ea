import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { parseDatabaseUrl } from '../src/config.js';
import { createDatabase } from '../src/db/connect.js';
import { changeTrackerOf } from '../src/plugins/catalog-cache/index.js';
import { ADMIN_PASSWORD } from './helpers/app.js';
import { type PostgresCluster, startPostgresCluster } from './helpers/pg-cluster.js';
import { type PgBouncer, startPgBouncer } from './helpers/pgbouncer.js';
import { type RunningServer, runServerToExit, startServer } from './helpers/server.js';
import { missingBinaries, PGBOUNCER_BINARY, POSTGRES_BINARIES } from './helpers/services.js';

/*
 * PgBouncer in transaction mode in front of a PostgreSQL cluster of the test's own: the usual way
 * to run many app processes on one database, and the one that silently drops LISTEN.
 */
const skip = missingBinaries(...POSTGRES_BINARIES, PGBOUNCER_BINARY);

describe('behind PgBouncer in transaction mode', { skip }, () => {
  let cluster: PostgresCluster;
  let bouncer: PgBouncer;
  const servers: RunningServer[] = [];

  before(async () => {
    cluster = await startPostgresCluster();
    bouncer = await startPgBouncer(cluster.port);
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await bouncer?.close();
    await cluster?.close();
  });

  it('refuses to start without DATABASE_DIRECT_URL, or with one through the pooler, saying why', async () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: bouncer.url('postgres'), ADMIN_PASSWORD };
    const [missing, pooled] = await Promise.all([
      runServerToExit(env, 60_000),
      runServerToExit({ ...env, DATABASE_DIRECT_URL: bouncer.url('postgres') }, 60_000),
    ]);
    assert.equal(missing.code, 1, missing.output);
    assert.match(
      missing.output,
      /DATABASE_DIRECT_URL is needed: DATABASE_URL does not keep a session of its own/,
    );
    assert.doesNotMatch(missing.output, /listening/);
    assert.equal(pooled.code, 1, pooled.output);
    assert.match(pooled.output, /DATABASE_DIRECT_URL is needed: DATABASE_DIRECT_URL does not keep a session/);
  });

  it('with DATABASE_DIRECT_URL, a write on one instance is seen by another within a second', async () => {
    const env = {
      DATABASE_URL: bouncer.url('postgres'),
      DATABASE_DIRECT_URL: cluster.url,
      ADMIN_PASSWORD,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
    };
    // Both start at once: migrations and seeding take turns on the advisory lock (a direct session).
    const started = await Promise.allSettled([startServer(env), startServer(env)]);
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [a, b] = servers as [RunningServer, RunningServer];

    const login = await fetch(new URL('/api/login', a.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const admin = (method: string, path: string, body: unknown) =>
      fetch(new URL(path, a.url), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await admin('POST', '/api/products', {
      name: 'Bounced lamp',
      price: 10,
      stock: 5,
      category_id: 1,
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: number };
    const priceOnB = async () =>
      ((await (await fetch(new URL(`/api/products/${id}`, b.url))).json()) as { price: number }).price;
    assert.equal(await priceOnB(), 10);
    assert.equal(await priceOnB(), 10); // B has it cached now

    assert.equal((await admin('PATCH', `/api/products/${id}`, { price: 12.5 })).status, 200);
    const writtenAt = Date.now();
    let price = await priceOnB();
    while (price !== 12.5 && Date.now() - writtenAt < 1000) {
      await sleep(20);
      price = await priceOnB();
    }
    assert.equal(price, 12.5, 'B still serves the old price a second after the write');
  });

  it('counts no pooled connection as its own backend: every NOTIFY is then another process’s', async () => {
    const ownBackendsVia = async (url: string) => {
      const db = createDatabase(parseDatabaseUrl(url), { poolSize: 2 });
      try {
        await sql`select 1`.execute(db);
        await sleep(100); // the pool checks each new connection's key in the background
        return changeTrackerOf(db).ownBackends.size;
      } finally {
        await db.destroy();
      }
    };
    assert.equal(await ownBackendsVia(cluster.url), 1, 'a direct connection is recognised');
    assert.equal(await ownBackendsVia(bouncer.url('postgres')), 0, "PgBouncer's keys are its own");
  });
});
