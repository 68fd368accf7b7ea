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
