// The read routes, each against the ceiling answering the same bytes to the same request headers.
import { join } from 'node:path';
import { type CannedFile, cannedAnswer, cannedKey } from '../canned.js';
import { startCeiling } from '../ceiling-process.js';
import { type Headers, rawGet } from '../client.js';
import { measureGet } from '../measure.js';
import { wanted } from '../options.js';
import { record } from '../report.js';
import { withPeakRss } from '../rss.js';
import type { ScenarioContext } from './context.js';

interface Read {
  id?: string;
  name: string;
  path: string;
  headers: Headers;
}

// What browsers send; the app answers br, and a cache hit sends the stored compressed bytes.
const COMPRESSED = { 'accept-encoding': 'br, gzip' };

function reads({ shop }: ScenarioContext): Read[] {
  const signedIn = { authorization: `Bearer ${shop.reader}` };
  const search = `/api/products?q=${encodeURIComponent(shop.searchWord)}`;
  return [
    { name: 'GET /health', path: '/health', headers: {} },
    { name: 'GET /api/categories', path: '/api/categories', headers: {} },
    {
      id: 'catalog-20',
      name: 'GET /api/products?limit=20 (br)',
      path: '/api/products?limit=20',
      headers: COMPRESSED,
    },
    { name: 'GET /api/products?limit=20 (identity)', path: '/api/products?limit=20', headers: {} },
    {
      id: 'catalog-50',
      name: 'GET /api/products?limit=50 (br)',
      path: '/api/products?limit=50',
      headers: COMPRESSED,
    },
    { name: 'GET /api/products?limit=50 (identity)', path: '/api/products?limit=50', headers: {} },
    {
      id: 'product',
      name: 'GET /api/products/{id} (br)',
      path: `/api/products/${shop.productId}`,
      headers: COMPRESSED,
    },
    { name: 'GET /api/products/{id} (identity)', path: `/api/products/${shop.productId}`, headers: {} },
    { name: `GET /api/products?q=${shop.searchWord} (br)`, path: search, headers: COMPRESSED },
    { id: 'cart', name: 'GET /api/cart (5 lines, signed in)', path: '/api/cart', headers: signedIn },
    { id: 'orders', name: 'GET /api/orders (10 orders, signed in)', path: '/api/orders', headers: signedIn },
    {
      id: 'order',
      name: 'GET /api/orders/{id} (signed in)',
      path: `/api/orders/${shop.orderId}`,
      headers: signedIn,
    },
  ];
}

export async function runReads(context: ScenarioContext): Promise<void> {
  const selected = reads(context).filter((read) => wanted(read.name));
  if (selected.length === 0) return;
  const { app, result } = context;

  const canned: CannedFile = {};
  for (const read of selected) {
    const response = await rawGet(app.url, read.path, read.headers);
    if (response.status !== 200) throw new Error(`GET ${read.path} answered ${response.status}`);
    canned[cannedKey('GET', read.path, read.headers)] = cannedAnswer(response);
  }
  const ceiling = await startCeiling(canned, join(context.dir, `canned-${result.dialect}.json`));
  try {
    for (const read of selected) {
      const base = await measureGet(`${ceiling.url}${read.path}`, read.headers);
      const { result: measured, peakRss } = await withPeakRss(app.pid, () =>
        measureGet(`${app.url}${read.path}`, read.headers),
      );
      const problems = measured.errors + measured.non2xx + base.errors + base.non2xx;
      record(result, {
        id: read.id,
        scenario: read.name,
        rate: measured.rps,
        p50: measured.p50,
        p99: measured.p99,
        ceiling: base.rps,
        peakRss,
        note: [
          `${measured.bytes.toFixed(0)} B/response`,
          problems > 0
            ? `${measured.errors} errors, ${measured.non2xx} non-2xx (ceiling ${base.errors + base.non2xx})`
            : '',
        ]
          .filter(Boolean)
          .join(', '),
      });
    }
  } finally {
    await ceiling.stop();
  }
}
