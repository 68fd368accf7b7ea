// Catalog reads per encoding, with the server's CPU time per request (which other load on the
// machine does not skew): anonymous reads are response-cache hits sending the stored compressed
// form; a signed-in read is built and compressed per request.
import { measureGet } from '../measure.js';
import { wanted } from '../options.js';
import { record } from '../report.js';
import { cpuSecondsOf, withPeakRss } from '../rss.js';
import type { ScenarioContext } from './context.js';

export async function runCompression({ app, shop, result }: ScenarioContext): Promise<void> {
  if (!wanted('compression')) return;
  const signedIn = `Bearer ${shop.reader}`;
  const variants: { label: string; headers: Record<string, string> }[] = [
    { label: 'identity', headers: {} },
    { label: 'gzip', headers: { 'accept-encoding': 'gzip' } },
    { label: 'br', headers: { 'accept-encoding': 'gzip, deflate, br' } },
    { label: 'br, signed in (no cache)', headers: { 'accept-encoding': 'br', authorization: signedIn } },
    { label: 'identity, signed in (no cache)', headers: { authorization: signedIn } },
  ];
  for (const path of ['/api/products?limit=100', '/api/products?limit=20']) {
    for (const variant of variants) {
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
        note: `${measured.bytes.toFixed(0)} B/response, ${perCpuSecond.toFixed(0)} req per server CPU-s`,
      });
    }
  }
}
