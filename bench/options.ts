// What a bench run measures, from the environment and the command line (`npm run bench -- names...`).
import { spawnSync } from 'node:child_process';

export type Dialect = 'sqlite' | 'postgres';

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function databases(): Dialect[] {
  const names = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  for (const name of names)
    if (name !== 'sqlite' && name !== 'postgres')
      throw new Error(`BENCH_DATABASES lists sqlite and/or postgres, got "${name}"`);
  return [...new Set(names as Dialect[])];
}

/** wrk (a C client, Debian's `wrk`) when installed, as issue 15 measured; else autocannon, in this process. */
function client(): 'wrk' | 'autocannon' {
  const chosen = process.env.BENCH_CLIENT;
  if (chosen === 'wrk' || chosen === 'autocannon') return chosen;
  if (chosen) throw new Error(`BENCH_CLIENT is wrk or autocannon, got "${chosen}"`);
  return spawnSync('wrk', ['--version']).error ? 'autocannon' : 'wrk';
}

const filters = process.argv.slice(2);

export const options = Object.freeze({
  /** Seconds per measurement. */
  duration: positive('BENCH_DURATION', 5),
  /** Concurrent connections, and the number of users of the checkout scenario. */
  connections: positive('BENCH_CONNECTIONS', 32),
  databases: databases(),
  /** What loads the plain GET reads (checkout and uploads always use autocannon). */
  client: client(),
  /** A server on which the bench may create and drop a `mercato_bench_*` database. */
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  /** Where the server writes its `--cpu-prof` profiles (one folder per database), if anywhere. */
  cpuProfDir: process.env.BENCH_CPU_PROF || undefined,
  uploads: positive('BENCH_UPLOADS', 1000),
  orderLines: positive('BENCH_ORDER_LINES', 1_000_000),
  recommendationsDatabaseUrl: process.env.BENCH_RECOMMENDATIONS_DATABASE_URL,
});

/** Whether a scenario runs: all do, unless names were given on the command line. */
export const wanted = (name: string): boolean =>
  filters.length === 0 || filters.some((filter) => name.includes(filter));
