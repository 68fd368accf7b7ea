// Results of a run: one line per scenario as it is measured, then a markdown table per database.
import { mb } from './rss.js';

/** The budget of resident memory per worker under load. */
export const RSS_BUDGET = 150 * 1024 * 1024;

export interface Row {
  /** Stable name the targets look rows up by. */
  id?: string;
  scenario: string;
  rate?: number;
  unit?: string;
  p50?: number;
  p99?: number;
  ceiling?: number;
  /** Largest per-process RSS of the server while the scenario ran. */
  peakRss?: number;
  /** Not one of the loads (uploads): its RSS is shown but not held to the budget. */
  rssExempt?: boolean;
  note?: string;
}

/** A pass/fail fact a scenario established (no oversell), printed with the targets. */
export interface Check {
  label: string;
  pass: boolean;
  detail: string;
}

export interface DatabaseResult {
  dialect: string;
  rows: Row[];
  checks: Check[];
}

const ms = (n: number | undefined) => (n === undefined ? '-' : `${n} ms`);
const count = (n: number | undefined) => (n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const ratio = (row: Row) =>
  row.rate !== undefined && row.ceiling ? `${((row.rate / row.ceiling) * 100).toFixed(0)}%` : '-';
const rss = (row: Row) =>
  row.peakRss === undefined ? '-' : `${mb(row.peakRss)}${row.peakRss > RSS_BUDGET ? ' ⚠ over 150 MB' : ''}`;

export function record(result: DatabaseResult, row: Row): void {
  result.rows.push(row);
  const rate = row.rate === undefined ? '' : ` ${count(row.rate)} ${row.unit ?? 'req/s'}`;
  const latency = row.p50 === undefined ? '' : `, p50 ${ms(row.p50)}, p99 ${ms(row.p99)}`;
  const ceiling = row.ceiling === undefined ? '' : `; ceiling ${count(row.ceiling)} req/s → ${ratio(row)}`;
  const memory = row.peakRss === undefined ? '' : `; peak RSS ${rss(row)}`;
  const note = row.note ? `${rate ? ';' : ''} ${row.note}` : '';
  console.log(`[${result.dialect}] ${row.scenario}:${rate}${latency}${ceiling}${memory}${note}`);
}

export function printTable(result: DatabaseResult): void {
  console.log(`\n### ${result.dialect}\n`);
  console.log('| scenario | app | p50 | p99 | ceiling req/s | app/ceiling | peak RSS | notes |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of result.rows) {
    const rate = row.rate === undefined ? '-' : `${count(row.rate)} ${row.unit ?? 'req/s'}`;
    const cells = [row.scenario, rate, ms(row.p50), ms(row.p99), count(row.ceiling), ratio(row), rss(row)];
    console.log(`| ${[...cells, row.note ?? ''].join(' | ')} |`);
  }
  const budgeted = result.rows.filter((row) => row.peakRss !== undefined && !row.rssExempt);
  if (budgeted.length > 0) {
    const peak = Math.max(...budgeted.map((row) => row.peakRss!));
    console.log(`\nPeak RSS over the issue's loads: ${mb(peak)}${peak > RSS_BUDGET ? ' ⚠ over 150 MB' : ''}`);
  }
}
