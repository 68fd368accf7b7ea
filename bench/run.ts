// npm run bench [-- names...]: measures Mercato's main routes against a bare node:http server
// answering the same bytes, in one run, and prints requests/s, p50/p99 latency and the ratio.
// Environment: BENCH_DURATION (seconds per measurement, default 5), BENCH_CONNECTIONS (default 32),
// BENCH_DATABASE_URL (default: a fresh SQLite file; a postgres:// URL must point at an empty database).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { seedDemo } from '../src/cli/seed-demo.js';
import { parseDatabaseUrl } from '../src/config.js';
import { createDatabase } from '../src/db/connect.js';
import { setupDatabase } from '../src/db/migrate.js';
import { type RunningServer, startServer } from '../test/helpers/server.js';
import { startCeiling } from './ceiling-process.js';
import { fillRecommendationsData } from './fixtures/recommendations-data.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ADMIN_PASSWORD = 'bench-admin-password';
const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.some((o) => name.includes(o));

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** Mean bytes on the wire per response, headers included. */
  bytes: number;
}

async function measure(options: autocannon.Options): Promise<Measurement> {
  const result = await autocannon({ duration: DURATION, connections: CONNECTIONS, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
    bytes: result.requests.total > 0 ? result.throughput.total / result.requests.total : 0,
  };
}

const rows: string[][] = [];
const fmt = (m: Measurement) => [m.rps.toFixed(0), `${m.p50} ms`, `${m.p99} ms`];
function report(name: string, app: Measurement, ceiling?: Measurement) {
  const ratio = ceiling ? `${((app.rps / ceiling.rps) * 100).toFixed(1)}%` : '-';
  const problems = app.errors + app.non2xx > 0 ? ` (${app.errors} errors, ${app.non2xx} non-2xx)` : '';
  rows.push([name, ...fmt(app), ...(ceiling ? fmt(ceiling) : ['-', '-', '-']), ratio + problems]);
  console.log(
    `${name}: ${fmt(app).join(' / ')}${ceiling ? ` vs ceiling ${fmt(ceiling).join(' / ')} → ${ratio}` : ''}${problems}`,
  );
}

async function api(server: RunningServer, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(new URL(path, server.url), {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return { res, text, json: text ? JSON.parse(text) : undefined };
}

async function login(server: RunningServer, username: string, password: string): Promise<string> {
  return (await api(server, 'POST', '/api/login', { username, password })).json.access_token;
}

async function customer(server: RunningServer, name: string): Promise<string> {
  await api(server, 'POST', '/api/register', { username: name, password: 'bench-password-1' });
  return login(server, name, 'bench-password-1');
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** A migrated, seeded database at `url`, as a production start leaves it. */
async function migratedDatabase(url: string) {
  const database = parseDatabaseUrl(url);
  const db = createDatabase(database, { poolSize: 2 });
  await setupDatabase(db, {
    env: 'production',
    adminUsername: 'admin',
    adminPassword: ADMIN_PASSWORD,
    database,
    databaseDirectUrl: undefined,
  });
  return db;
}

/** CPU seconds (user + system) a process has used: a figure other load on the machine does not skew. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'mercato-bench-'));
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'bench.db')}`;
  console.log(
    `Mercato bench: ${DURATION}s per run, ${CONNECTIONS} connections, database ${databaseUrl.split(':')[0]}`,
  );

  const db = await migratedDatabase(databaseUrl);
  const seeded = await seedDemo(db, new Date());
  console.log(
    `demo catalog: ${seeded.productsCreated} products, ${seeded.offersCreated} offers, ${seeded.unitsCreated} units`,
  );
  const sample = await db
    .selectFrom('products')
    .select(['id', 'name'])
    .where('serialized', '=', 0)
    .where('offer_id', 'is not', null)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  await db.destroy();

  // Start-up: from spawn to the first answered request (the contract: within a second).
  const spawned = performance.now();
  const server = await startServer({
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: databaseUrl,
    ADMIN_PASSWORD,
    // The checkout scenario also pays with the test provider's card.
    PAYMENT_PROVIDERS: 'manual,test',
    UPLOAD_DIR: join(dir, 'uploads'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '10000000',
    AUTH_RATE_LIMIT_MAX: '10000000',
  });
  const first = await fetch(new URL('/health', server.url));
  await first.text();
  if (first.status !== 200) throw new Error(`first GET /health answered ${first.status}`);
  const startup = performance.now() - spawned;
  const pid = server.proc.pid!;
  // The server's own CPU time until then: what start-up costs, however loaded the machine is.
  const startupCpu = cpuSecondsOf(pid) * 1000;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  console.log(
    `start-up: first 200 ${startup.toFixed(0)} ms after spawn (server CPU ${startupCpu.toFixed(0)} ms); RSS ${mb(rssOf(pid))}`,
  );
  rows.push([
    'start-up (spawn → first 200)',
    '-',
    `${startup.toFixed(0)} ms`,
    '-',
    '-',
    '-',
    '-',
    `CPU ${startupCpu.toFixed(0)} ms, RSS ${mb(rssOf(pid))}`,
  ]);
  try {
    const admin = await login(server, 'admin', ADMIN_PASSWORD);
    const shopper = await customer(server, 'bench_reader');
    const searchWord = sample.name.split(' ')[0]!.toLowerCase();
    const cartProducts = (await api(server, 'GET', '/api/products?limit=5&in_stock=true')).json as {
      id: number;
    }[];
    for (const p of cartProducts)
      await api(server, 'POST', '/api/cart', { product_id: p.id, quantity: 1 }, shopper);

    const reads = [
      { name: 'GET /health', path: '/health' },
      { name: 'GET /api/categories', path: '/api/categories' },
      { name: 'GET /api/products?limit=20', path: '/api/products?limit=20' },
      { name: 'GET /api/products/{id}', path: `/api/products/${sample.id}` },
      {
        name: `GET /api/products?q=${searchWord}`,
        path: `/api/products?q=${encodeURIComponent(searchWord)}`,
      },
      { name: 'GET /api/cart (5 lines)', path: '/api/cart', token: shopper },
    ].filter((s) => wanted(s.name));

    if (reads.length > 0) {
      const canned: Record<string, { status: number; contentType: string; body: string }> = {};
      for (const s of reads) {
        const { res, text } = await api(server, 'GET', s.path, undefined, s.token);
        canned[`GET ${s.path}`] = {
          status: res.status,
          contentType: res.headers.get('content-type') ?? 'application/json',
          body: Buffer.from(text).toString('base64'),
        };
      }
      const cannedFile = join(dir, 'canned.json');
      writeFileSync(cannedFile, JSON.stringify(canned));
      const ceiling = await startCeiling(cannedFile);
      const idle = rssOf(pid);
      let readPeak = idle;
      const sampler = setInterval(() => {
        readPeak = Math.max(readPeak, rssOf(pid));
      }, 100);
      try {
        for (const s of reads) {
          const headers = s.token ? { authorization: `Bearer ${s.token}` } : undefined;
          const base = await measure({ url: `${ceiling.url}${s.path}`, headers });
          const app = await measure({ url: `${server.url}${s.path}`, headers });
          report(s.name, app, base);
        }
      } finally {
        clearInterval(sampler);
        await ceiling.stop();
      }
      console.log(`server RSS idle ${mb(idle)}, peak under the catalog reads ${mb(readPeak)}`);
      rows.push([
        'RSS under the reads',
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        `idle ${mb(idle)}, peak ${mb(readPeak)}`,
      ]);
    }

    // Catalog reads with compression on (br, gzip) and off (no Accept-Encoding): anonymous reads are
    // response-cache hits that send the stored compressed form; a signed-in read is built and
    // compressed per request.
    if (wanted('compression')) {
      for (const path of ['/api/products?limit=100', '/api/products?limit=20']) {
        const variants = [
          { label: 'identity', headers: {} },
          { label: 'gzip', headers: { 'accept-encoding': 'gzip' } },
          { label: 'br', headers: { 'accept-encoding': 'gzip, deflate, br' } },
          {
            label: 'br, signed in (no cache)',
            headers: { 'accept-encoding': 'br', authorization: `Bearer ${shopper}` },
          },
          { label: 'identity, signed in (no cache)', headers: { authorization: `Bearer ${shopper}` } },
        ];
        for (const variant of variants) {
          const cpuStart = cpuSecondsOf(pid);
          const result = await measure({ url: `${server.url}${path}`, headers: variant.headers });
          const perCpuSecond = result.total / (cpuSecondsOf(pid) - cpuStart);
          report(
            `GET ${path} ${variant.label}, ${result.bytes.toFixed(0)} B/response, ${perCpuSecond.toFixed(0)} req per server CPU-s`,
            result,
          );
        }
      }
    }

    if (wanted('checkout')) {
      const stocked = [];
      for (const name of ['Bench Widget A', 'Bench Widget B']) {
        const { json } = await api(
          server,
          'POST',
          '/api/products',
          { name, price: 9.99, stock: 10_000_000, category_id: 1 },
          admin,
        );
        stocked.push(json.id as number);
      }
      // Pay later (the default provider), then a card of the test provider (authorized and captured).
      const payments: Array<[string, string]> = [
        ['pay later', '{}'],
        ['test card', JSON.stringify({ payment: { provider: 'test', token: 'tok_visa' } })],
      ];
      for (const [index, [label, checkoutBody]] of payments.entries()) {
        const tokens: string[] = [];
        for (let i = 0; i < CONNECTIONS; i++)
          tokens.push(await customer(server, `bench_buyer_${index}_${i}`));
        let next = 0;
        const cpuBefore = cpuSecondsOf(pid);
        const result = await autocannon({
          url: server.url,
          duration: DURATION,
          connections: CONNECTIONS,
          // One virtual user per connection: the connection's context keeps its token for every request.
          requests: [
            {
              method: 'POST' as const,
              path: '/api/cart',
              body: JSON.stringify({ product_id: stocked[0], quantity: 1 }),
            },
            {
              method: 'POST' as const,
              path: '/api/cart',
              body: JSON.stringify({ product_id: stocked[1], quantity: 1 }),
            },
            { method: 'POST' as const, path: '/api/checkout', body: checkoutBody },
          ].map((request) => ({
            ...request,
            setupRequest: (req: autocannon.Request, context: { token?: string }) => {
              context.token ??= tokens[next++ % tokens.length];
              return {
                ...req,
                headers: { authorization: `Bearer ${context.token}`, 'content-type': 'application/json' },
              };
            },
          })),
        });
        const checkouts = Math.floor(result.requests.total / 3);
        // Server CPU per sequence: a figure that other load on the machine does not skew.
        const cpuPerCheckout = ((cpuSecondsOf(pid) - cpuBefore) * 1000) / Math.max(checkouts, 1);
        if (result.non2xx > 0) console.log('checkout status codes:', JSON.stringify(result.statusCodeStats));
        const line = `checkout, ${label} (add 2 + checkout, ${CONNECTIONS} users): ${(checkouts / DURATION).toFixed(0)} checkouts/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms per request, server CPU ${cpuPerCheckout.toFixed(2)} ms per sequence, ${result.errors + result.timeouts} errors, ${result.non2xx} non-2xx`;
        console.log(line);
        rows.push([
          `checkout sequence, ${label}`,
          `${(checkouts / DURATION).toFixed(0)} checkouts/s`,
          `${result.latency.p50} ms`,
          `${result.latency.p99} ms`,
          '-',
          '-',
          '-',
          `CPU ${cpuPerCheckout.toFixed(2)} ms/sequence, ${result.errors + result.non2xx} errors/non-2xx`,
        ]);
      }
    }

    if (wanted('upload')) {
      const jpeg = await sharp({
        create: {
          width: 900,
          height: 700,
          channels: 3,
          background: '#808080',
          noise: { type: 'gaussian', mean: 128, sigma: 60 },
        },
      })
        .jpeg({ quality: 92 })
        .toBuffer();
      const boundary = `----mercato${randomBytes(8).toString('hex')}`;
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        jpeg,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const uploads = Number(process.env.BENCH_UPLOADS ?? 1000);
      const rssStart = rssOf(pid);
      let peak = rssStart;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssOf(pid));
      }, 100);
      const result = await autocannon({
        url: `${server.url}/api/products/${sample.id}/image`,
        method: 'POST',
        connections: 8,
        amount: uploads,
        headers: {
          authorization: `Bearer ${admin}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body,
      });
      clearInterval(sampler);
      const rssEnd = rssOf(pid);
      const seconds = result.duration;
      console.log(
        `upload (${(jpeg.length / 1024).toFixed(0)} KB JPEG, 8 concurrent, ${uploads} uploads): ${(result.requests.total / seconds).toFixed(1)} uploads/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.non2xx} non-2xx; server RSS start ${mb(rssStart)}, end ${mb(rssEnd)}, peak ${mb(peak)}`,
      );
      rows.push([
        'upload',
        `${(result.requests.total / seconds).toFixed(1)} uploads/s`,
        `${result.latency.p50} ms`,
        `${result.latency.p99} ms`,
        '-',
        '-',
        '-',
        `RSS ${mb(rssStart)} → ${mb(rssEnd)}, peak ${mb(peak)}`,
      ]);
    }
  } finally {
    await server.stop();
  }

  if (wanted('recommendations')) await recommendations(dir);
  rmSync(dir, { recursive: true, force: true });

  console.log(
    '\n| scenario | app req/s | app p50 | app p99 | ceiling req/s | ceiling p50 | ceiling p99 | app/ceiling |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** "Frequently bought together" over 1,000,000 order lines, uncached, for the most, median and least sold products. */
async function recommendations(dir: string) {
  const lines = Number(process.env.BENCH_ORDER_LINES ?? 1_000_000);
  const databaseUrl = process.env.BENCH_RECOMMENDATIONS_DATABASE_URL ?? `sqlite:${join(dir, 'orders.db')}`;
  const db = await migratedDatabase(databaseUrl);
  const started = Date.now();
  const data = await fillRecommendationsData(db, { orderLines: lines });
  await db.destroy();
  console.log(
    `order history: ${data.orderLines} lines in ${data.orders} orders (${((Date.now() - started) / 1000).toFixed(0)} s to write)`,
  );
  const server = await startServer({
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: databaseUrl,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '10000000',
  });
  try {
    const ranked = data.byPopularity;
    for (const [label, id] of [
      ['most sold', ranked[0]],
      ['median', ranked[Math.floor(ranked.length / 2)]],
      ['least sold', ranked[ranked.length - 1]],
    ] as const) {
      const url = `${server.url}/api/products/${id}/recommendations?limit=10`;
      // Cold: the first read computes the ranking in SQL; later reads come from the response cache.
      const started = performance.now();
      await (await fetch(url)).text();
      const cold = performance.now() - started;
      const app = await measure({ url, connections: 8 });
      report(
        `GET /api/products/{id}/recommendations, ${label} (1M lines; cold ${cold.toFixed(1)} ms, then cached)`,
        app,
      );
    }
  } finally {
    await server.stop();
  }
}

await main();
