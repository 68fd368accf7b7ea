// Issue 15's targets, as constants from its text, judged against what this run measured.
import { type DatabaseResult, type Row, RSS_BUDGET } from './report.js';
import { mb } from './rss.js';

interface Target {
  label: string;
  dialect?: 'sqlite' | 'postgres';
  /** undefined when the scenario was not run (filtered out). */
  judge(rows: Map<string, Row>, result: DatabaseResult): { pass: boolean; measured: string } | undefined;
}

function atLeast(id: string, minimum: number): Target['judge'] {
  return (rows) => {
    const row = rows.get(id);
    if (row?.rate === undefined) return undefined;
    return { pass: row.rate >= minimum, measured: `${Math.round(row.rate)} ${row.unit ?? 'req/s'}` };
  };
}

function shareOfCeiling(id: string, minimum: number): Target['judge'] {
  return (rows) => {
    const row = rows.get(id);
    if (row?.rate === undefined || !row.ceiling) return undefined;
    const share = row.rate / row.ceiling;
    return { pass: share >= minimum, measured: `${(share * 100).toFixed(0)}% of the ceiling` };
  };
}

// The issue's figures for today's code on PostgreSQL: GET /api/cart ~960 req/s, checkout 144/s.
const PG_CART_TODAY = 960;
const PG_CHECKOUT_TODAY = 144;
// Seed 003's Flask app (gunicorn, 2 workers, SQLite) on this machine class, the same flow (add 2,
// check out, 32 users): its best run, as the README records. The issue asks for 10 times it.
const FLASK_CHECKOUTS = 90;

const TARGETS: Target[] = [
  { label: 'GET /api/cart (5 lines) ≥ 10,000 req/s', dialect: 'sqlite', judge: atLeast('cart', 10_000) },
  {
    label: `GET /api/cart (5 lines) ≥ 4 × ${PG_CART_TODAY} req/s`,
    dialect: 'postgres',
    judge: atLeast('cart', 4 * PG_CART_TODAY),
  },
  {
    label: `checkout (pay later, 32 users) ≥ 10 × the Flask seed's ${FLASK_CHECKOUTS} checkouts/s`,
    dialect: 'sqlite',
    judge: atLeast('checkout-pay-later', 10 * FLASK_CHECKOUTS),
  },
  {
    label: `checkout (pay later, 32 users) ≥ 2 × ${PG_CHECKOUT_TODAY} checkouts/s`,
    dialect: 'postgres',
    judge: atLeast('checkout-pay-later', 2 * PG_CHECKOUT_TODAY),
  },
  { label: 'catalog list, limit=20, br/gzip ≥ 60% of ceiling', judge: shareOfCeiling('catalog-20', 0.6) },
  { label: 'catalog list, limit=50, br/gzip ≥ 60% of ceiling', judge: shareOfCeiling('catalog-50', 0.6) },
  { label: 'GET /api/products/{id}, br/gzip ≥ 60% of ceiling', judge: shareOfCeiling('product', 0.6) },
  { label: 'GET /api/orders ≥ 10,000 req/s', dialect: 'sqlite', judge: atLeast('orders', 10_000) },
  { label: 'GET /api/orders/{id} ≥ 10,000 req/s', dialect: 'sqlite', judge: atLeast('order', 10_000) },
  {
    label: 'RSS per worker ≤ 150 MB under every load',
    judge: (_rows, result) => {
      const peaks = result.rows.filter((row) => row.peakRss !== undefined && !row.rssExempt);
      if (peaks.length === 0) return undefined;
      const peak = Math.max(...peaks.map((row) => row.peakRss!));
      return { pass: peak <= RSS_BUDGET, measured: `peak ${mb(peak)}` };
    },
  },
];

export function printTargets(results: DatabaseResult[]): void {
  console.log("\n### Issue 15's targets\n");
  for (const result of results) {
    const rows = new Map(result.rows.filter((row) => row.id).map((row) => [row.id!, row]));
    for (const target of TARGETS.filter((t) => !t.dialect || t.dialect === result.dialect)) {
      const verdict = target.judge(rows, result);
      const mark = verdict === undefined ? 'not measured' : verdict.pass ? 'PASS' : 'FAIL';
      console.log(`- [${result.dialect}] ${target.label}: ${mark}${verdict ? ` (${verdict.measured})` : ''}`);
    }
    for (const check of result.checks)
      console.log(`- [${result.dialect}] ${check.label}: ${check.pass ? 'PASS' : 'FAIL'} (${check.detail})`);
  }
}
