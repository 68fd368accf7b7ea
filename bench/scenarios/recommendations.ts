// "Frequently bought together" over 1,000,000 order lines, uncached, for the most, median and
// least sold products; on a database of its own (SQLite unless BENCH_RECOMMENDATIONS_DATABASE_URL).
import { join } from 'node:path';
import { startApp } from '../app.js';
import { migratedDatabase } from '../databases.js';
import { fillRecommendationsData } from '../fixtures/recommendations-data.js';
import { measureGet } from '../measure.js';
import { options, wanted } from '../options.js';
import { type DatabaseResult, record } from '../report.js';
import { withPeakRss } from '../rss.js';
import { serverEnv } from '../server-env.js';

export async function runRecommendations(dir: string): Promise<DatabaseResult | undefined> {
  if (!wanted('recommendations')) return undefined;
  const databaseUrl = options.recommendationsDatabaseUrl ?? `sqlite:${join(dir, 'orders.db')}`;
  const db = await migratedDatabase(databaseUrl);
  const started = Date.now();
  const data = await fillRecommendationsData(db, { orderLines: options.orderLines });
  await db.destroy();
  const result: DatabaseResult = {
    dialect: `${databaseUrl.split(':')[0]}, recommendations`,
    rows: [],
    checks: [],
  };
  console.log(
    `order history: ${data.orderLines} lines in ${data.orders} orders (${((Date.now() - started) / 1000).toFixed(0)} s to write)`,
  );
  const app = await startApp(serverEnv(databaseUrl, dir));
  try {
    const ranked = data.byPopularity;
    for (const [label, id] of [
      ['most sold', ranked[0]],
      ['median', ranked[Math.floor(ranked.length / 2)]],
      ['least sold', ranked[ranked.length - 1]],
    ] as const) {
      const url = `${app.url}/api/products/${id}/recommendations?limit=10`;
      // Cold: the first read computes the ranking in SQL; later reads come from the response cache.
      const coldStart = performance.now();
      await (await fetch(url)).text();
      const cold = performance.now() - coldStart;
      const { result: measured, peakRss } = await withPeakRss(app.pid, () => measureGet(url, {}, 8));
      record(result, {
        scenario: `GET /api/products/{id}/recommendations, ${label}`,
        rate: measured.rps,
        p50: measured.p50,
        p99: measured.p99,
        peakRss,
        note: `${data.orderLines} lines; cold ${cold.toFixed(1)} ms, then cached`,
      });
    }
  } finally {
    await app.stop();
  }
  return result;
}
