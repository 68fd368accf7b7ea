// npx tsx bench/profile-summary.ts <file.cpuprofile> [top]: where a profiled server spent its CPU,
// as the top functions by self time and by total time, with their file:line.
import { readFileSync } from 'node:fs';
import { type FunctionTime, summarize } from './profile.js';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top, default 25]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const summary = summarize(JSON.parse(readFileSync(file, 'utf8')));
const busyMs = summary.sampledMs - summary.idleMs;
// The root's and the idle node's totals say nothing about where the work went.
const work = summary.functions.filter((f) => !['(root)', '(idle)'].includes(f.name));

const share = (ms: number) => `${((ms / busyMs) * 100).toFixed(1).padStart(5)}%`;
function print(title: string, rows: FunctionTime[], pick: (f: FunctionTime) => number) {
  console.log(`\n${title}\n`);
  console.log('|      ms |  busy | function | file:line |');
  console.log('|---:|---:|---|---|');
  for (const f of rows.slice(0, top))
    console.log(`| ${pick(f).toFixed(0).padStart(7)} | ${share(pick(f))} | ${f.name} | ${f.location} |`);
}

console.log(
  `${file}: ${(summary.sampledMs / 1000).toFixed(1)} s sampled, ${(busyMs / 1000).toFixed(1)} s busy (not idle)`,
);
print(
  'Top by self time',
  [...work].sort((a, b) => b.selfMs - a.selfMs),
  (f) => f.selfMs,
);
print(
  'Top by total time',
  [...work].sort((a, b) => b.totalMs - a.totalMs),
  (f) => f.totalMs,
);
