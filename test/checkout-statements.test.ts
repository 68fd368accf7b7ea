import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { changeTrackerOf } from '../src/plugins/catalog-cache/index.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, checkout, insertProduct } from './helpers/orders.js';
import { newWebhookSecret, paymentEnv, payWith } from './helpers/payments.js';

/**
 * Database round trips of one checkout, the bound of issue 15: stock taken in one conditional
 * update for all lines, the lines inserted in one statement, the hidden order made pending and
 * shown in one update, and the answer built once by the payment step from the lines and the
 * payment it wrote instead of read again. (Before: 31 pay later and 49 with a card on SQLite; one
 * more each on PostgreSQL, which locks the products.)
 */
const BOUNDS = {
  sqlite: { payLater: 13, card: 20 },
  postgres: { payLater: 14, card: 21 },
};

for (const dialect of testDialects()) {
  describe(`checkout statements (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { env: paymentEnv(newWebhookSecret()) });
    });
    after(() => t.close());

    /** A customer with two lines in the cart; `buy` runs while statements are counted. */
    async function countCheckout(buy: (token: string) => ReturnType<typeof checkout>) {
      const { token } = await t.customer();
      await addToCart(t, token, await insertProduct(t, { stock: 100 }), 2);
      await addToCart(t, token, await insertProduct(t, { stock: 100 }), 1);
      const tracker = changeTrackerOf(t.db);
      const before = tracker.statements;
      const res = await buy(token);
      const statements = tracker.statements - before;
      assert.equal(res.statusCode, 201, res.body);
      // The answer built by the payment step is the order as the read path shows it.
      const order = res.json().order;
      const read = await t.request({ method: 'GET', url: `/api/orders/${order.id}`, token });
      assert.deepEqual(order, read.json());
      assert.equal(order.items.length, 2);
      return statements;
    }

    it('a 2-line checkout paid later runs at most the bound', async () => {
      const statements = await countCheckout((token) => checkout(t, token));
      assert.ok(statements <= BOUNDS[dialect].payLater, `${statements} statements`);
    });

    it('a 2-line checkout paid by card runs at most the bound', async () => {
      const statements = await countCheckout((token) => payWith(t, token, 'tok_visa'));
      assert.ok(statements <= BOUNDS[dialect].card, `${statements} statements`);
    });
  });
}
