// Checkout under contention: each of BENCH_CONNECTIONS users adds 2 of the 200 stocked products,
// drawn at random, then checks out; afterwards the books must balance (no unit sold twice).
import autocannon from 'autocannon';
import { parseDatabaseUrl } from '../../src/config.js';
import { createDatabase } from '../../src/db/connect.js';
import { customer } from '../client.js';
import { options, wanted } from '../options.js';
import { type Check, record } from '../report.js';
import { cpuSecondsOf, withPeakRss } from '../rss.js';
import type { ScenarioContext } from './context.js';
import { STOCK_PER_PRODUCT } from './shop.js';

const PAYMENTS = [
  { id: 'checkout-pay-later', label: 'pay later', body: '{}' },
  {
    id: 'checkout-test-card',
    label: 'test card',
    body: JSON.stringify({ payment: { provider: 'test', token: 'tok_visa' } }),
  },
];

interface Buyer {
  token?: string;
  pair?: [number, number];
}

function twoDistinct(ids: number[]): [number, number] {
  const first = Math.floor(Math.random() * ids.length);
  const second = (first + 1 + Math.floor(Math.random() * (ids.length - 1))) % ids.length;
  return [ids[first]!, ids[second]!];
}

async function checkoutLoad(context: ScenarioContext, payment: (typeof PAYMENTS)[number], tokens: string[]) {
  const { app, shop } = context;
  // autocannon clears a connection's context each time its sequence starts over, so a user is
  // lent to a connection for one sequence (add, add, checkout) and returned when the checkout is
  // answered: no two connections fill the same cart at once. A sequence cut short by a timeout
  // keeps its user; a connection then borrows one at random rather than stall.
  const idle = [...tokens];
  let checkouts = 0;
  const authorized = (req: autocannon.Request, buyer: Buyer, body?: string) => {
    const headers = { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json' };
    return { ...req, headers, ...(body === undefined ? {} : { body }) };
  };
  const add = (which: 0 | 1) => ({
    method: 'POST' as const,
    path: '/api/cart',
    setupRequest: (req: autocannon.Request, buyer: Buyer) => {
      if (which === 0) {
        buyer.token = idle.pop() ?? tokens[Math.floor(Math.random() * tokens.length)];
        buyer.pair = twoDistinct(shop.stocked);
      }
      return authorized(req, buyer, JSON.stringify({ product_id: buyer.pair![which], quantity: 1 }));
    },
  });
  const started = performance.now();
  const result = await autocannon({
    url: app.url,
    duration: options.duration,
    connections: options.connections,
    requests: [
      add(0),
      add(1),
      {
        method: 'POST',
        path: '/api/checkout',
        body: payment.body,
        setupRequest: (req: autocannon.Request, buyer: Buyer) => authorized(req, buyer),
        onResponse: (status: number, _body: string, buyer: Buyer) => {
          if (status === 201) checkouts++;
          if (buyer.token) idle.push(buyer.token);
        },
      },
    ],
  });
  return { result, checkouts, seconds: (performance.now() - started) / 1000 };
}

/** Units taken from the stocked products' shelves must equal units on live orders, and no shelf below 0. */
async function oversellCheck(context: ScenarioContext): Promise<Check> {
  const db = createDatabase(parseDatabaseUrl(context.databaseUrl), { poolSize: 1 });
  try {
    // One statement, so both sums come from one snapshot: a checkout still in flight when the load
    // stops may commit between two separate reads.
    const totals = await db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('product_variants')
          .where('product_id', 'in', context.shop.stocked)
          .select((v) => v.fn.sum<number>('stock').as('left'))
          .as('left'),
        eb
          .selectFrom('product_variants')
          .where('product_id', 'in', context.shop.stocked)
          .select((v) => v.fn.min<number>('stock').as('lowest'))
          .as('lowest'),
        eb
          .selectFrom('order_items')
          .innerJoin('orders', 'orders.id', 'order_items.order_id')
          .where('order_items.product_id', 'in', context.shop.stocked)
          .where('orders.status', '!=', 'cancelled')
          .select((o) => o.fn.sum<number>('order_items.quantity').as('units'))
          .as('units'),
      ])
      .executeTakeFirstOrThrow();
    const shelves = { left: totals.left, lowest: totals.lowest };
    const sold = { units: totals.units };
    const taken = context.shop.stocked.length * STOCK_PER_PRODUCT - Number(shelves.left);
    const units = Number(sold.units ?? 0);
    return {
      label: '0 oversell after the checkout runs',
      pass: taken === units && Number(shelves.lowest) >= 0,
      detail: `${taken} units taken from stock, ${units} on live orders, lowest stock ${shelves.lowest}`,
    };
  } finally {
    await db.destroy();
  }
}

export async function runCheckout(context: ScenarioContext): Promise<void> {
  if (!wanted('checkout')) return;
  for (const payment of PAYMENTS) {
    const tokens: string[] = [];
    for (let i = 0; i < options.connections; i++)
      tokens.push(await customer(context.app.url, `bench_buyer_${payment.id}_${i}`));
    // The server's CPU per checkout sequence (2 adds + checkout): the figure that other load on the
    // machine does not skew, unlike checkouts per second.
    const cpuBefore = cpuSecondsOf(context.app.pid);
    const { result: run, peakRss } = await withPeakRss(context.app.pid, () =>
      checkoutLoad(context, payment, tokens),
    );
    const cpuMs = ((cpuSecondsOf(context.app.pid) - cpuBefore) * 1000) / Math.max(1, run.checkouts);
    const { result, checkouts, seconds } = run;
    if (result.non2xx > 0) console.log('checkout status codes:', JSON.stringify(result.statusCodeStats));
    record(context.result, {
      id: payment.id,
      scenario: `checkout, ${payment.label} (${options.connections} users, add 2 of ${context.shop.stocked.length} + checkout)`,
      rate: checkouts / seconds,
      unit: 'checkouts/s',
      p50: result.latency.p50,
      p99: result.latency.p99,
      peakRss,
      note: `p50/p99 per request; ${result.errors + result.timeouts} errors, ${result.non2xx} non-2xx; server CPU ${cpuMs.toFixed(1)} ms per checkout`,
    });
  }
  const check = await oversellCheck(context);
  context.result.checks.push(check);
  console.log(`[${context.result.dialect}] ${check.label}: ${check.pass ? 'yes' : 'NO'} (${check.detail})`);
}
