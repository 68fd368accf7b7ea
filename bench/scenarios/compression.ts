// Catalog reads per encoding, with the server's CPU time per request (which other load on the
// machine does not skew): anonymous and signed-in customers' reads are response-cache hits sending
// the stored compressed form; an admin's read is built and compressed per request.
import { measureGet } from '../measure.js';
import { wanted } from '../options.js';
import { record } from '../report.js';
import { cpuSecondsOf, withPeakRss } from '../rss.js';
import type { ScenarioContext } from './context.js';

export async function runCompression({ app, shop, result }: ScenarioContext): Promise<void> {
  if (!wanted('compression')) return;
  const customer = `Bearer ${shop.reader}`;
  const admin = `Bearer ${shop.admin}`;
  // Admin reads are not one of issue 15's loads: 32 uncached 100-product listings at once are
  // shown for their CPU cost, outside the RSS budget.
  const variants: { label: string; headers: Record<string, string>; rssExempt?: true }[] = [
    { label: 'identity', headers: {} },
    { label: 'gzip', headers: { 'accept-encoding': 'gzip' } },
    { label: 'br', headers: { 'accept-encoding': 'gzip, deflate, br' } },
    { label: 'br, signed-in customer', headers: { 'accept-encoding': 'br', authorization: customer } },
    {
      label: 'br, admin (no cache)',
      headers: { 'accept-encoding': 'br', authorization: admin },
      rssExempt: true,
    },
    { label: 'identity, admin (no cache)', headers: { authorization: admin }, rssExempt: true },
  ];
  const paths = ['/api/products?limit=100', '/api/products?limit=20'];
  // The admin rows last: the heap they grow stays with the process, and would count against the rows after them.
  const runs = [false, true].flatMap((exempt) =>
    paths.flatMap((path) =>
      variants.filter((v) => (v.rssExempt ?? false) === exempt).map((variant) => ({ path, variant })),
    ),
  );
  for (const { path, variant } of runs) {
    const cpuStart = cpuSecondsOf(app.pid);
    const { result: measured, peakRss } = await withPeakRss(app.pid, () =>
      measureGet(`${app.url}${path}`, variant.headers),
    );
    const perCpuSecond = measured.total / (cpuSecondsOf(app.pid) - cpuStart);
    record(result, {
      scenario: `compression: GET ${path} ${variant.label}`,
      rate: measured.rps,
      p50: measured.p50,
      p99: measured.p99,
      peakRss,
      ...(variant.rssExempt ? { rssExempt: true } : {}),
      note: `${measured.bytes.toFixed(0)} B/response, ${perCpuSecond.toFixed(0)} req per server CPU-s`,
    });
  }
}
