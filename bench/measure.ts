import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { options } from './options.js';

export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  total: number;
  /** Mean bytes on the wire per response, headers included. */
  bytes: number;
}

function measurementOf(result: autocannon.Result): Measurement {
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

/** One load run of BENCH_DURATION seconds over BENCH_CONNECTIONS connections (unless `overrides` say otherwise). */
export async function measure(overrides: autocannon.Options): Promise<Measurement> {
  return measurementOf(
    await autocannon({ duration: options.duration, connections: options.connections, ...overrides }),
  );
}

const run = promisify(execFile);

const MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const BYTES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

function number(output: string, pattern: RegExp): RegExpMatchArray {
  const match = output.match(pattern);
  if (!match) throw new Error(`wrk printed no ${pattern}:\n${output}`);
  return match;
}

/** wrk's report read into a Measurement. */
export function wrkMeasurement(output: string): Measurement {
  const [, requests, , , read, readUnit] = number(
    output,
    /(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read/,
  );
  const latency = (share: string) => {
    const [, value, unit] = number(output, new RegExp(`^\\s+${share}%\\s+([\\d.]+)(\\w+)`, 'm'));
    return Number(value) * (MS[unit as string] ?? Number.NaN);
  };
  const socketErrors = output.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const total = Number(requests);
  return {
    rps: Number(number(output, /Requests\/sec:\s+([\d.]+)/)[1]),
    p50: latency('50'),
    p99: latency('99'),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: Number(output.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0),
    total,
    bytes: total > 0 ? (Number(read) * (BYTES[readUnit as string] ?? Number.NaN)) / total : 0,
  };
}

/**
 * A plain GET under load: by wrk when installed (one thread, so the other core stays the
 * server's), else by autocannon (which shares this process's core with everything else here).
 */
export async function measureGet(
  url: string,
  headers: Record<string, string> = {},
  connections = options.connections,
): Promise<Measurement> {
  if (options.client === 'autocannon') return measure({ url, headers, connections });
  const args = ['-t1', `-c${connections}`, `-d${options.duration}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const { stdout } = await run('wrk', [...args, url]);
  return wrkMeasurement(stdout);
}
