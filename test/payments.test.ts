import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, checkout, insertProduct, stockOf } from './helpers/orders.js';
import {
  ledgerOf,
  newWebhookSecret,
  nextPaymentId,
  paymentEnv,
  payWith,
  sendWebhook,
} from './helpers/payments.js';

for (const dialect of testDialects()) {
  describe(`payments (${dialect})`, () => {
    const secret = newWebhookSecret();
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await buildTestApp(dialect, { env: paymentEnv(secret) });
      admin = await t.adminToken();
    });
    after(() => t.close());

    /** A customer with `quantity` of a fresh product (price in cents) in the cart. */
    const shopper = async (priceCents = 2500, quantity = 2, stock = 10) => {
      const user = await t.customer();
      const productId = await insertProduct(t, { price_cents: priceCents, stock });
      await addToCart(t, user.token, productId, quantity);
      return { ...user, productId };
    };
    const get = (url: string, token: string) => t.request({ method: 'GET', url, token });
    const post = (url: string, token: string, payload?: Record<string, unknown>, headers = {}) =>
      t.request({ method: 'POST', url, token, headers, ...(payload ? { payload } : {}) });
    const eventsOf = async (orderId: number, token = admin) =>
      (await get(`/api/orders/${orderId}/events`, token)).json() as { type: string; actor: string }[];

    it('lists the enabled providers, the first being the default', async () => {
      const res = await t.request({ method: 'GET', url: '/api/payment-providers' });
      assert.equal(res.statusCode, 200);
      const providers = res.json();
      assert.deepEqual(
        providers.map((p: { name: string; default: boolean }) => [p.name, p.default]),
        [
          ['manual', true],
          ['test', false],
        ],
      );
      assert.equal(providers[1].fields[0].name, 'token');
      assert.equal(providers[1].webhooks, true);
    });

    it('keeps seed clients working: no payment is pay later (pending, unpaid), an admin records the money', async () => {
      const { token } = await shopper(1000, 3);
      const res = await checkout(t, token);
      assert.equal(res.statusCode, 201, res.body);
      const { order, payment, total_paid } = res.json();
      assert.equal(total_paid, 30);
      assert.equal(order.status, 'pending');
      assert.equal(order.payment_status, 'unpaid');
      assert.deepEqual(order.payment, payment);
      assert.equal(payment.provider, 'manual');
      assert.equal(payment.status, 'pending');
      assert.equal(payment.next_action, null);
      assert.deepEqual(
        [order.subtotal, order.discount_total, order.amount_paid, order.shipments],
        [30, 0, 0, []],
      );

      const captured = await post(`/api/orders/${order.id}/capture`, admin);
      assert.equal(captured.statusCode, 200, captured.body);
      assert.equal(captured.json().payment_status, 'paid');
      assert.equal(captured.json().amount_paid, 30);
      assert.equal((await post(`/api/orders/${order.id}/capture`, admin)).statusCode, 409);
    });

    it('tok_visa: authorized and captured at once, order pending and paid', async () => {
      const { token, productId } = await shopper(2500, 2);
      const res = await payWith(t, token, 'tok_visa');
      assert.equal(res.statusCode, 201, res.body);
      const { order, payment } = res.json();
      assert.deepEqual([order.status, order.payment_status], ['pending', 'paid']);
      assert.deepEqual(
        [payment.provider, payment.status, payment.amount, payment.amount_captured, payment.amount_refunded],
        ['test', 'captured', 50, 50, 0],
      );
      assert.match(payment.provider_reference, /^test_visa_/);
      assert.equal(order.amount_paid, 50);
      assert.equal(await stockOf(t.db, productId), 8);
      assert.deepEqual(
        (await ledgerOf(t.db, payment.id)).map((e) => [e.type, e.amount_cents]),
        [
          ['authorized', 5000],
          ['captured', 5000],
        ],
      );
      assert.deepEqual(
        (await eventsOf(order.id, token)).map((e) => [e.type, e.actor]),
        [
          ['order.created', 'customer'],
          ['payment.authorized', 'customer'],
          ['payment.captured', 'customer'],
        ],
      );
    });

    it('tok_authorize_only: authorized, captured at the first shipment; then delivered', async () => {
      const { token } = await shopper(1999, 1);
      const { order } = (await payWith(t, token, 'tok_authorize_only')).json();
      assert.deepEqual(
        [order.status, order.payment_status, order.payment.amount_captured],
        ['pending', 'authorized', 0],
      );

      const shipment = {
        carrier: 'DHL',
        tracking_number: 'JD0123',
        tracking_url: 'https://dhl.example/JD0123',
      };
      const shipped = await post(`/api/orders/${order.id}/shipments`, admin, shipment);
      assert.equal(shipped.statusCode, 201, shipped.body);
      const after = shipped.json();
      assert.deepEqual([after.status, after.payment_status, after.amount_paid], ['shipped', 'paid', 19.99]);
      assert.ok(after.shipped_at);
      assert.deepEqual(
        after.shipments.map(({ id: _id, created_at: _at, ...s }: Record<string, unknown>) => s),
        [shipment],
      );
      assert.equal((await post(`/api/orders/${order.id}/shipments`, admin, shipment)).statusCode, 409);

      const delivered = await post(`/api/orders/${order.id}/deliver`, admin);
      assert.equal(delivered.statusCode, 200);
      assert.equal(delivered.json().status, 'delivered');
      assert.deepEqual(
        (await eventsOf(order.id)).map((e) => [e.type, e.actor]),
        [
          ['order.created', 'customer'],
          ['payment.authorized', 'customer'],
          ['payment.captured', 'admin'],
          ['order.shipped', 'admin'],
          ['order.delivered', 'admin'],
        ],
      );
    });

    it('tok_capture_fails: a shipment is 402 payment_capture_failed and nothing ships', async () => {
      const { token } = await shopper();
      const { order } = (await payWith(t, token, 'tok_capture_fails')).json();
      assert.deepEqual([order.status, order.payment_status], ['pending', 'authorized']);
      const res = await post(`/api/orders/${order.id}/shipments`, admin, {
        carrier: 'UPS',
        tracking_number: '1Z',
      });
      assert.equal(res.statusCode, 402);
      assert.equal(res.json().code, 'payment_capture_failed');
      const now = (await get(`/api/orders/${order.id}`, admin)).json();
      assert.deepEqual(
        [now.status, now.payment_status, now.shipments, now.amount_paid],
        ['pending', 'authorized', [], 0],
      );
      const seed = await t.request({
        method: 'PATCH',
        url: `/api/orders/${order.id}/status`,
        token: admin,
        payload: { status: 'shipped' },
      });
      assert.equal(seed.statusCode, 402);
      assert.equal((await get(`/api/orders/${order.id}`, admin)).json().status, 'pending');
    });

    for (const [card, status, code] of [
      ['tok_declined', 402, 'payment_declined'],
      ['tok_provider_down', 502, 'payment_provider_error'],
    ] as const) {
      it(`${card}: ${status} ${code}; cart, stock and orders are byte-for-byte as before; a retry replays it`, async () => {
        const user = await t.customer();
        const mug = await insertProduct(t, { price_cents: 1250, stock: 5 });
        const pen = await insertProduct(t, { price_cents: 199, stock: 4 });
        await addToCart(t, user.token, pen, 3);
        await addToCart(t, user.token, mug, 2);
        // Orders the customer already has must stay as they are too.
        assert.equal((await checkout(t, user.token)).statusCode, 201);
        await addToCart(t, user.token, pen, 1);
        await addToCart(t, user.token, mug, 2);
        t.clock.advance(60_000); // a checkout at a later time must leave no trace of that time
        const snapshot = async () => ({
          cart: (await get('/api/cart', user.token)).body,
          orders: (await get('/api/orders', user.token)).body,
          adminOrders: (await get(`/api/admin/orders?user_id=${user.id}`, admin)).body,
          mug: (await t.request({ method: 'GET', url: `/api/products/${mug}` })).body,
          pen: (await t.request({ method: 'GET', url: `/api/products/${pen}` })).body,
        });
        const before = await snapshot();
        const key = randomUUID();
        const res = await payWith(t, user.token, card, key);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.json().code, code);
        assert.deepEqual(await snapshot(), before);

        const again = await payWith(t, user.token, card, key);
        assert.equal(again.statusCode, status);
        assert.deepEqual(again.json(), res.json());
        assert.deepEqual(await snapshot(), before);
        // The same key with another card is another checkout.
        assert.equal((await payWith(t, user.token, 'tok_visa', key)).json().code, 'idempotency_key_reused');
        // A fresh key with a good card buys the very same cart.
        const paid = await payWith(t, user.token, 'tok_visa', randomUUID());
        assert.equal(paid.statusCode, 201);
        assert.equal(paid.json().total_paid, 26.99);
        assert.equal(await stockOf(t.db, mug), 1);
      });
    }

    it('an Idempotency-Key replays a paid checkout with 200 and charges once', async () => {
      const { token } = await shopper();
      const key = randomUUID();
      const first = await payWith(t, token, 'tok_visa', key);
      const again = await payWith(t, token, 'tok_visa', key);
      assert.equal(first.statusCode, 201);
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json(), first.json());
      assert.equal((await ledgerOf(t.db, first.json().payment.id)).length, 2);
    });

    it('refuses an unknown provider or token with 400 and changes nothing', async () => {
      const { token, productId } = await shopper();
      for (const payment of [
        { provider: 'stripe' },
        { provider: 'test' },
        { provider: 'test', token: 'tok_x' },
        { provider: 'manual', token: 'tok_visa' },
      ]) {
        const res = await t.request({ method: 'POST', url: '/api/checkout', token, payload: { payment } });
        assert.equal(res.statusCode, 400, JSON.stringify(payment));
        assert.equal(res.json().code, 'validation_failed');
      }
      const extra = await t.request({
        method: 'POST',
        url: '/api/checkout',
        token,
        payload: { payment: { provider: 'test', token: 'tok_visa', amount: 1 } },
      });
      assert.equal(extra.statusCode, 400);
      assert.equal(await stockOf(t.db, productId), 10);
      assert.equal((await get('/api/cart', token)).json().items.length, 1);
    });

    it('tok_3ds: awaiting_payment with a confirm URL; confirming authorizes it once', async () => {
      const { token } = await shopper();
      const res = await payWith(t, token, 'tok_3ds');
      assert.equal(res.statusCode, 201, res.body);
      const { order, payment } = res.json();
      assert.deepEqual(
        [order.status, order.payment_status, payment.status],
        ['awaiting_payment', 'unpaid', 'requires_action'],
      );
      assert.deepEqual(payment.next_action, { type: 'confirm', url: `/api/payments/${payment.id}/confirm` });
      const listed = (await get('/api/orders?status=awaiting_payment', token)).json();
      assert.deepEqual(
        listed.map((o: { id: number }) => o.id),
        [order.id],
      );
      const stranger = await t.customer();
      assert.equal((await post(payment.next_action.url, stranger.token)).statusCode, 404);

      const confirmed = await post(payment.next_action.url, token);
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.deepEqual(
        [confirmed.json().status, confirmed.json().payment_status, confirmed.json().payment.next_action],
        ['pending', 'authorized', null],
      );
      const twice = await post(payment.next_action.url, token);
      assert.equal(twice.statusCode, 200);
      assert.deepEqual(twice.json(), confirmed.json());
      assert.deepEqual(
        (await ledgerOf(t.db, payment.id)).map((e) => e.type),
        ['authorized'],
      );
    });

    it('verifies webhooks: a bad signature or a stale timestamp is 401 and changes nothing', async () => {
      const { token } = await shopper();
      const { payment, order } = (await payWith(t, token, 'tok_3ds')).json();
      const event = { type: 'payment.authorized' as const, reference: payment.provider_reference };
      const forged = await sendWebhook(t, secret, event, { signWith: newWebhookSecret() });
      assert.equal(forged.statusCode, 401);
      assert.equal(forged.json().code, 'unauthorized');
      const stale = await sendWebhook(t, secret, event, { timestamp: new Date(Date.now() - 6 * 60_000) });
      assert.equal(stale.statusCode, 401);
      const unsigned = await t.request({
        method: 'POST',
        url: '/api/payments/webhooks/test',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          id: 'evt_1',
          type: 'payment.authorized',
          data: { reference: payment.provider_reference },
        }),
      });
      assert.equal(unsigned.statusCode, 401);
      assert.equal((await get(`/api/orders/${order.id}`, token)).json().status, 'awaiting_payment');
      assert.equal((await sendWebhook(t, secret, { ...event })).statusCode, 200);
      assert.equal((await get(`/api/orders/${order.id}`, token)).json().status, 'pending');
      assert.equal(
        (await t.request({ method: 'POST', url: '/api/payments/webhooks/manual', payload: {} })).statusCode,
        404,
      );
    });

    it('applies the same webhook twice only once', async () => {
      const { token } = await shopper();
      const { payment, order } = (await payWith(t, token, 'tok_3ds')).json();
      const event = {
        id: `evt_${randomUUID()}`,
        type: 'payment.authorized' as const,
        reference: payment.provider_reference,
      };
      const first = await sendWebhook(t, secret, event);
      const second = await sendWebhook(t, secret, event);
      assert.deepEqual([first.statusCode, first.json()], [200, { received: true, duplicate: false }]);
      assert.deepEqual([second.statusCode, second.json()], [200, { received: true, duplicate: true }]);
      assert.deepEqual(
        (await ledgerOf(t.db, payment.id)).map((e) => e.type),
        ['authorized'],
      );
      assert.deepEqual(
        (await eventsOf(order.id, token)).map((e) => [e.type, e.actor]),
        [
          ['order.created', 'customer'],
          ['payment.authorized', 'provider'],
        ],
      );
    });

    it('a webhook racing the confirm URL 20 times authorizes once, and racing shipments capture once', async () => {
      const { token } = await shopper(3000, 1);
      const { payment, order } = (await payWith(t, token, 'tok_3ds')).json();
      const event = { type: 'payment.authorized' as const, reference: payment.provider_reference };
      const results = await Promise.all([
        ...Array.from({ length: 20 }, () => post(payment.next_action.url, token)),
        ...Array.from({ length: 20 }, (_, i) =>
          sendWebhook(t, secret, { ...event, id: `evt_race_${order.id}_${i % 4}` }),
        ),
      ]);
      assert.deepEqual(new Set(results.map((r) => r.statusCode)), new Set([200]));
      assert.deepEqual(
        (await ledgerOf(t.db, payment.id)).map((e) => e.type),
        ['authorized'],
      );
      const ships = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(`/api/orders/${order.id}/shipments`, admin, { carrier: 'DHL', tracking_number: `T${i}` }),
        ),
      );
      assert.equal(ships.filter((r) => r.statusCode === 201).length, 1);
      assert.deepEqual(
        new Set(ships.filter((r) => r.statusCode !== 201).map((r) => r.statusCode)),
        new Set([409]),
      );
      assert.deepEqual(
        (await ledgerOf(t.db, payment.id)).map((e) => [e.type, e.amount_cents]),
        [
          ['authorized', 3000],
          ['captured', 3000],
        ],
      );
      const shipped = (await get(`/api/orders/${order.id}`, admin)).json();
      assert.equal(shipped.shipments.length, 1);
      assert.equal(shipped.amount_paid, 30);
    });

    it('keeps a webhook that arrives before its payment, and applies it when the payment appears', async () => {
      const { token } = await shopper();
      const reference = `test_3ds_${await nextPaymentId(t.db)}`;
      const early = await sendWebhook(t, secret, { type: 'payment.authorized', reference });
      assert.deepEqual(early.json(), { received: true, duplicate: false });
      const res = await payWith(t, token, 'tok_3ds');
      assert.equal(res.json().payment.provider_reference, reference);
      // Applied as soon as the checkout recorded the reference: the answer is already authorized.
      assert.deepEqual([res.json().order.status, res.json().payment.status], ['pending', 'authorized']);
    });

    it('payment.failed cancels an order awaiting payment and returns its stock', async () => {
      const { token, productId } = await shopper(1000, 4);
      const { payment, order } = (await payWith(t, token, 'tok_3ds')).json();
      assert.equal(await stockOf(t.db, productId), 6);
      const res = await sendWebhook(t, secret, {
        type: 'payment.failed',
        reference: payment.provider_reference,
      });
      assert.equal(res.statusCode, 200);
      const now = (await get(`/api/orders/${order.id}`, token)).json();
      assert.deepEqual(
        [now.status, now.payment_status, now.payment.status],
        ['cancelled', 'failed', 'failed'],
      );
      assert.equal(await stockOf(t.db, productId), 10);
      assert.equal((await post(payment.next_action.url, token)).json().status, 'cancelled');
    });

    it('10 concurrent partial refunds never exceed what was captured', async () => {
      const { token } = await shopper(5000, 2);
      const { order, payment } = (await payWith(t, token, 'tok_visa')).json();
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          post(`/api/orders/${order.id}/refunds`, admin, { amount: 15, reason: 'dent' }),
        ),
      );
      const codes = results.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [201, 201, 201, 201, 201, 201, 409, 409, 409, 409]);
      const refused = results.find((r) => r.statusCode === 409);
      assert.equal(refused?.json().code, 'refund_exceeds_captured');
      let now = (await get(`/api/orders/${order.id}`, admin)).json();
      assert.deepEqual(
        [now.amount_refunded, now.payment_status, now.payment.status],
        [90, 'partially_refunded', 'partially_refunded'],
      );
      assert.equal((await post(`/api/orders/${order.id}/refunds`, admin, { amount: 10.01 })).statusCode, 409);
      const last = await post(`/api/orders/${order.id}/refunds`, admin, { amount: 10 });
      assert.equal(last.statusCode, 201);
      now = (await get(`/api/orders/${order.id}`, admin)).json();
      assert.deepEqual([now.amount_paid, now.amount_refunded, now.payment_status], [100, 100, 'refunded']);
      const refunded = (await ledgerOf(t.db, payment.id)).filter((e) => e.type === 'refunded');
      assert.equal(
        refunded.reduce((sum, e) => sum + e.amount_cents, 0),
        10000,
      );
    });

    it('answers a repeated refund with its Idempotency-Key with 200 and the same refund', async () => {
      const { token } = await shopper(1000, 1);
      const { order } = (await payWith(t, token, 'tok_visa')).json();
      const key = { 'idempotency-key': randomUUID() };
      const first = await post(`/api/orders/${order.id}/refunds`, admin, { amount: 4, reason: 'late' }, key);
      const again = await post(`/api/orders/${order.id}/refunds`, admin, { amount: 4, reason: 'late' }, key);
      assert.equal(first.statusCode, 201);
      assert.deepEqual(Object.keys(first.json()).sort(), ['amount', 'created_at', 'id', 'reason']);
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json(), first.json());
      const other = await post(`/api/orders/${order.id}/refunds`, admin, { amount: 5 }, key);
      assert.equal(other.json().code, 'idempotency_key_reused');
      assert.equal((await get(`/api/orders/${order.id}`, admin)).json().amount_refunded, 4);
      for (const amount of [0, -1, 1.001]) {
        assert.equal((await post(`/api/orders/${order.id}/refunds`, admin, { amount })).statusCode, 400);
      }
      assert.equal((await post(`/api/orders/${order.id}/refunds`, token, { amount: 1 })).statusCode, 403);
    });

    it('cancelling voids an authorized payment and refunds a captured one in full; stock returns', async () => {
      const customer = await shopper(1000, 2);
      const held = (await payWith(t, customer.token, 'tok_authorize_only')).json().order;
      const cancelled = await post(`/api/orders/${held.id}/cancel`, customer.token);
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.deepEqual(
        [cancelled.json().status, cancelled.json().payment_status, cancelled.json().payment.status],
        ['cancelled', 'voided', 'voided'],
      );
      assert.equal(await stockOf(t.db, customer.productId), 10);

      const buyer = await shopper(1000, 2);
      const paid = (await payWith(t, buyer.token, 'tok_visa')).json().order;
      await post(`/api/orders/${paid.id}/refunds`, admin, { amount: 5 });
      const byAdmin = await post(`/api/orders/${paid.id}/cancel`, admin);
      assert.equal(byAdmin.statusCode, 200);
      assert.deepEqual(
        [byAdmin.json().status, byAdmin.json().payment_status, byAdmin.json().amount_refunded],
        ['cancelled', 'refunded', 20],
      );
      assert.equal(await stockOf(t.db, buyer.productId), 10);
      assert.deepEqual((await eventsOf(paid.id)).map((e) => [e.type, e.actor]).slice(-3), [
        ['payment.refunded', 'admin'],
        ['order.cancelled', 'admin'],
        ['payment.refunded', 'admin'],
      ]);

      const shippedBuyer = await shopper(1000, 1);
      const shipped = (await payWith(t, shippedBuyer.token, 'tok_visa')).json().order;
      await post(`/api/orders/${shipped.id}/shipments`, admin, { carrier: 'DHL', tracking_number: 'X' });
      const late = await post(`/api/orders/${shipped.id}/cancel`, admin);
      assert.equal(late.statusCode, 409);
      assert.equal(late.json().code, 'invalid_transition');
    });

    it('filters orders by status and payment status; admins also by customer, time and text', async () => {
      const alice = await shopper(1000, 1);
      const paid = (await payWith(t, alice.token, 'tok_visa')).json().order;
      await addToCart(t, alice.token, alice.productId, 1);
      const unpaid = (await checkout(t, alice.token)).json().order;
      const mine = async (query: string) =>
        (await get(`/api/orders?${query}`, alice.token)).json().map((o: { id: number }) => o.id);
      assert.deepEqual(await mine('payment_status=paid'), [paid.id]);
      assert.deepEqual(await mine('payment_status=unpaid&status=pending'), [unpaid.id]);
      assert.equal((await get('/api/orders?payment_status=lost', alice.token)).statusCode, 400);

      const all = async (query: string) =>
        (await get(`/api/admin/orders?limit=100&${query}`, admin)).json().map((o: { id: number }) => o.id);
      assert.deepEqual(await all(`q=${alice.username.toUpperCase()}`), [unpaid.id, paid.id]);
      // A number is an order id, and also text: the username (which holds the test's pid) may contain it.
      const alsoByName = alice.username.includes(String(paid.id)) ? [unpaid.id] : [];
      assert.deepEqual(await all(`q=${paid.id}&user_id=${alice.id}`), [...alsoByName, paid.id]);
      assert.deepEqual(await all(`user_id=${alice.id}&payment_status=paid`), [paid.id]);
      const at = encodeURIComponent(paid.created_at);
      assert.deepEqual(await all(`user_id=${alice.id}&from=${at}&to=${at}`), [unpaid.id, paid.id]);
      const later = encodeURIComponent(new Date(Date.parse(paid.created_at) + 1).toISOString());
      assert.deepEqual(await all(`user_id=${alice.id}&from=${later}`), []);
      const naive = await get('/api/admin/orders?from=2026-01-01T00:00:00', admin);
      assert.equal(naive.statusCode, 400);
      assert.match(naive.json().detail, /offset/);
    });

    it('shows the timeline to the owner and admins only', async () => {
      const { token } = await shopper();
      const { order } = (await payWith(t, token, 'tok_visa')).json();
      const stranger = await t.customer();
      assert.equal((await get(`/api/orders/${order.id}/events`, stranger.token)).statusCode, 404);
      const events = (await get(`/api/orders/${order.id}/events`, token)).json();
      assert.equal(events[0].type, 'order.created');
      assert.equal(events[0].at, order.created_at);
      assert.deepEqual(events[0].data, { total: 50 });
    });
  });
}
