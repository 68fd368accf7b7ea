// npm run bench [-- names...]: measures Mercato's main routes against a bare node:http server
// answering the same bytes, on a fresh SQLite file and a fresh PostgreSQL database in one run, and
// prints requests/s, p50/p99 latency, the ratio to the ceiling, the server's peak RSS per scenario
// and issue 15's targets with pass/fail. README's Benchmarks section lists the environment.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '../src/cli/seed-demo.js';
import { startApp } from './app.js';
import { type BenchDatabase, freshDatabase, migratedDatabase } from './databases.js';
import { type Dialect, options } from './options.js';
import { type DatabaseResult, printTable, record } from './report.js';
import { cpuSecondsOf, largestRss, mb } from './rss.js';
import { runCheckout } from './scenarios/checkout.js';
import { runCompression } from './scenarios/compression.js';
import { runReads } from './scenarios/reads.js';
import { runRecommendations } from './scenarios/recommendations.js';
import { prepareShop } from './scenarios/shop.js';
import { runUpload } from './scenarios/upload.js';
import { serverEnv } from './server-env.js';
import { printTargets } from './targets.js';

/** Migrates and seeds the demo catalog, and picks the product the single-product reads use. */
async function seeded(url: string) {
  const db = await migratedDatabase(url);
  try {
    const report = await seedDemo(db, new Date());
    console.log(
      `demo catalog: ${report.productsCreated} products, ${report.offersCreated} offers, ${report.unitsCreated} units`,
    );
    return await db
      .selectFrom('products')
      .select(['id', 'name'])
      .where('serialized', '=', 0)
      .where('offer_id', 'is not', null)
      .orderBy('id')
      .executeTakeFirstOrThrow();
  } finally {
    await db.destroy();
  }
}

async function benchDatabase(database: BenchDatabase, dir: string): Promise<DatabaseResult> {
  const result: DatabaseResult = { dialect: database.dialect, rows: [], checks: [] };
  console.log(`\n== ${database.dialect} ==`);
  const sample = await seeded(database.url);
  const profileDir = options.cpuProfDir && join(options.cpuProfDir, database.dialect);
  const spawned = Date.now();
  const app = await startApp(serverEnv(database.url, dir), profileDir);
  record(result, {
    scenario: 'start-up (spawn → first 200)',
    note: `${app.startupMs.toFixed(0)} ms (server CPU ${(cpuSecondsOf(app.pid) * 1000).toFixed(0)} ms), RSS ${mb(largestRss(app.pid))}`,
  });
  try {
    const context = { app, databaseUrl: database.url, shop: await prepareShop(app.url, sample), result, dir };
    await runReads(context);
    await runCheckout(context);
    await runCompression(context);
    await runUpload(context);
  } finally {
    const code = await app.stop();
    if (profileDir) {
      // With WEB_CONCURRENCY > 1 the primary, the setup child and each worker write one; the workers' are the large ones.
      const written = readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile') && statSync(join(profileDir, f)).mtimeMs >= spawned)
        .map((f) => `${f} (${(statSync(join(profileDir, f)).size / 1024).toFixed(0)} KB)`);
      console.log(
        `server exited with ${code}; CPU profiles in ${profileDir}: ${written.join(', ') || 'none'}`,
      );
    }
  }
  return result;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'mercato-bench-'));
  console.log(
    `Mercato bench: ${options.duration}s per run, ${options.connections} connections, on ${options.databases.join(' and ')}`,
  );
  if (options.cpuProfDir)
    console.log('CPU profiling on: the server runs slower, and its RSS includes the profiler’s samples');
  // Every database first, so an unreachable PostgreSQL fails the run before minutes of SQLite.
  const databases = new Map<Dialect, BenchDatabase>();
  const results: DatabaseResult[] = [];
  try {
    for (const dialect of options.databases)
      databases.set(dialect, await freshDatabase(dialect, dir, options.postgresUrl));
    for (const database of databases.values()) results.push(await benchDatabase(database, dir));
    const recommendations = await runRecommendations(dir);
    if (recommendations) results.push(recommendations);
  } finally {
    for (const database of databases.values()) await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    `\n## Results (${options.duration} s per measurement, ${options.connections} connections; ceiling: bare node:http answering the same bytes)`,
  );
  for (const result of results) printTable(result);
  printTargets(results.filter((result) => options.databases.includes(result.dialect as Dialect)));
  if (options.cpuProfDir)
    console.log(
      `\nProfiles: npx tsx bench/profile-summary.ts ${options.cpuProfDir}/<database>/<file>.cpuprofile`,
    );
}

await main();
