import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ADMIN_PASSWORD, buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, checkout, insertProduct } from './helpers/orders.js';
import { payWith } from './helpers/payments.js';
import { type Received, type Receiver, signedWith, startReceiver } from './helpers/webhook-receiver.js';

const MINUTE = 60_000;

for (const dialect of testDialects()) {
  describe(`webhooks (${dialect})`, () => {
    let t: TestApp;
    let receiver: Receiver;
    let admin: string;
    const endpoints: number[] = [];

    before(async () => {
      t = await buildTestApp(dialect, { env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT: '2s' } });
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await t.close();
    });
    // Each test starts with no endpoint and an empty receiver.
    beforeEach(async () => {
      for (const id of endpoints.splice(0)) await call('DELETE', `/api/admin/webhooks/${id}`);
      receiver.received.length = 0;
      receiver.answer = () => 200;
    });

    const login = async () =>
      (
        await t.request({
          method: 'POST',
          url: '/api/login',
          payload: { username: 'admin', password: ADMIN_PASSWORD },
        })
      ).json().access_token as string;
    // Tests move the clock by hours and days: an admin token older than a few minutes is renewed.
    let issuedAt = -Infinity;
    const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      if (t.clock.now().getTime() - issuedAt > 5 * MINUTE) {
        admin = await login();
        issuedAt = t.clock.now().getTime();
      }
      return t.request({ method, url, token: admin, ...(payload ? { payload } : {}) });
    };

    async function subscribe(events: string[] = ['*'], url = receiver.url) {
      const res = await call('POST', '/api/admin/webhooks', { url, events, description: 'test' });
      assert.equal(res.statusCode, 201, res.body);
      endpoints.push(res.json().id);
      return res.json() as { id: number; secret: string };
    }
    const product = async (fields: object = {}) => {
      const res = await call('POST', '/api/products', {
        name: 'Widget',
        price: 10,
        stock: 50,
        category_id: 1,
        ...fields,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };
    const drain = () => t.app.webhookDispatcher.drain();
    const deliveries = async (endpointId: number) =>
      (await call('GET', `/api/admin/webhooks/${endpointId}/deliveries`)).json();
    const ofType = (type: string) => receiver.received.filter((r) => r.json.type === type);

    it('manages endpoints: the secret is shown once, inputs are checked', async () => {
      const created = await call('POST', '/api/admin/webhooks', {
        url: receiver.url,
        events: ['order.created', 'order.paid'],
      });
      assert.equal(created.statusCode, 201, created.body);
      const endpoint = created.json();
      endpoints.push(endpoint.id);
      assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
      const keyBytes = Buffer.from(endpoint.secret.slice('whsec_'.length), 'base64').length;
      assert.ok(keyBytes >= 24 && keyBytes <= 64);
      assert.deepEqual(endpoint.events, ['order.created', 'order.paid']);
      assert.equal(endpoint.enabled, true);
      assert.equal(endpoint.description, null);

      const one = await call('GET', `/api/admin/webhooks/${endpoint.id}`);
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().secret, undefined);
      const list = await call('GET', '/api/admin/webhooks');
      assert.equal(list.headers['x-total-count'], '1');
      assert.ok(list.json().every((e: { secret?: string }) => e.secret === undefined));

      const patched = await call('PATCH', `/api/admin/webhooks/${endpoint.id}`, {
        events: ['*'],
        enabled: false,
        description: 'warehouse',
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(patched.json().events, ['*']);
      assert.equal(patched.json().enabled, false);
      assert.equal(patched.json().description, 'warehouse');

      for (const body of [
        { url: receiver.url, events: ['order.exploded'] },
        { url: receiver.url, events: [] },
        { url: receiver.url, events: ['*'], secret: 'whsec_mine' },
        { url: 'not a url', events: ['*'] },
        { url: 'ftp://example.com/hook', events: ['*'] },
        { url: 'http://user:pw@127.0.0.1/hook', events: ['*'] },
      ]) {
        const res = await call('POST', '/api/admin/webhooks', body);
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      }
      assert.equal((await call('GET', '/api/admin/webhooks/999999')).statusCode, 404);
      assert.equal((await call('DELETE', '/api/admin/webhooks/999999')).statusCode, 404);
      const customer = await t.customer();
      const refused = await t.request({ method: 'GET', url: '/api/admin/webhooks', token: customer.token });
      assert.equal(refused.statusCode, 403);
    });

    it('delivers every event type, signed, with the resource as the API shows it', async () => {
      const { secret } = await subscribe(['*']);
      const created = await product({ name: 'Lamp', price: 20, stock: 6 });
      const updated = (await call('PATCH', `/api/products/${created.id}`, { name: 'Desk lamp' })).json();
      const now = t.clock.now().getTime();
      const offer = (
        await call('POST', '/api/offers', {
          name: 'Sale',
          discount_percent: 10,
          start_time: new Date(now - MINUTE).toISOString(),
          end_time: new Date(now + 60 * MINUTE).toISOString(),
        })
      ).json();
      assert.equal((await call('POST', `/api/offers/${offer.id}/apply/${created.id}`)).statusCode, 200);

      const buyer = await t.customer();
      await addToCart(t, buyer.token, created.id, 2); // 6 → 4: below the threshold of 5
      const placed = await checkout(t, buyer.token);
      assert.equal(placed.statusCode, 201, placed.body);
      const order = placed.json().order;
      const shipped = (await call('PATCH', `/api/orders/${order.id}/status`, { status: 'shipped' })).json();
      const delivered = (
        await call('PATCH', `/api/orders/${order.id}/status`, { status: 'delivered' })
      ).json();

      await addToCart(t, buyer.token, created.id, 1); // 4 → 3: already low, no second event
      const second = (await checkout(t, buyer.token)).json().order;
      const cancelled = (
        await t.request({ method: 'POST', url: `/api/orders/${second.id}/cancel`, token: buyer.token })
      ).json();
      assert.equal((await call('DELETE', `/api/products/${created.id}`)).statusCode, 204);

      await drain();
      const byType = (type: string) => ofType(type).map((r) => r.json.data);
      assert.deepEqual(byType('product.created'), [created]);
      assert.deepEqual(byType('product.updated')[0], updated);
      assert.equal(byType('product.updated')[1].offer.id, offer.id);
      assert.deepEqual(byType('order.created'), [order, second]);
      assert.deepEqual(byType('order.shipped'), [shipped]);
      assert.deepEqual(byType('order.delivered'), [delivered]);
      // Announced in the cancellation's own transaction: the pay-later payment is voided just after.
      const withoutPayment = (o: Record<string, unknown>) => ({ ...o, payment: null, payment_status: null });
      assert.deepEqual(byType('order.cancelled').map(withoutPayment), [withoutPayment(cancelled)]);
      assert.equal(byType('order.cancelled')[0].payment_status, 'unpaid');
      assert.equal(cancelled.payment_status, 'voided');
      const lowStock = byType('inventory.low_stock');
      assert.equal(lowStock.length, 1);
      assert.deepEqual(
        { product_id: lowStock[0].product_id, stock: lowStock[0].stock, reorder: lowStock[0].reorder },
        { product_id: created.id, stock: 4, reorder: true },
      );
      const archived = byType('product.archived');
      assert.equal(archived.length, 1);
      assert.equal(archived[0].id, created.id);

      for (const request of receiver.received) {
        assert.ok(signedWith(secret, request), `signature of ${request.json.type}`);
        assert.equal(request.json.id, request.id);
        assert.match(request.id, /^evt_/);
        assert.ok(Math.abs(Number(request.timestamp) - Date.now() / 1000) < 60);
      }
      // The event log shows the same events, newest first, filterable.
      const log = await call('GET', '/api/admin/events?type=order.created&limit=100');
      assert.deepEqual(
        log.json().map((e: { data: { id: number } }) => e.data.id),
        [second.id, order.id],
      );
      const all = (await call('GET', '/api/admin/events?limit=100')).json();
      assert.deepEqual(
        new Set(all.map((e: { id: string }) => e.id)),
        new Set(receiver.received.map((r) => r.id)),
      );
      const future = await call(
        'GET',
        `/api/admin/events?from=${encodeURIComponent('2999-01-01T00:00:00Z')}`,
      );
      assert.deepEqual(future.json(), []);
      assert.equal((await call('GET', '/api/admin/events?from=2026-01-01T00:00:00')).statusCode, 400);
    });

    it('announces a card checkout as order.created then order.paid, and refunds as order.refunded', async () => {
      await subscribe(['order.created', 'order.paid', 'order.refunded', 'order.cancelled']);
      const buyer = await t.customer();
      await addToCart(t, buyer.token, await insertProduct(t, { price_cents: 1000, stock: 10 }), 2);
      const res = await payWith(t, buyer.token, 'tok_visa');
      assert.equal(res.statusCode, 201, res.body);
      const orderId: number = res.json().order.id;
      await drain();
      // Both in one transaction, so delivered in either order.
      assert.deepEqual(receiver.received.map((r) => [r.json.type, r.json.data.id]).sort(), [
        ['order.created', orderId],
        ['order.paid', orderId],
      ]);
      const paid = ofType('order.paid')[0]!.json.data;
      assert.deepEqual([paid.status, paid.payment_status, paid.amount_paid], ['pending', 'paid', 20]);

      const refund = await call('POST', `/api/orders/${orderId}/refunds`, { amount: 5, reason: 'scratched' });
      assert.equal(refund.statusCode, 201, refund.body);
      await drain();
      const [partly] = ofType('order.refunded');
      assert.deepEqual(
        [partly!.json.data.payment_status, partly!.json.data.amount_refunded],
        ['partially_refunded', 5],
      );
      // Cancelling a paid order refunds the rest: announced as cancelled, then refunded.
      const cancelled = await call('POST', `/api/orders/${orderId}/cancel`);
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      await drain();
      assert.deepEqual(
        receiver.received
          .slice(3)
          .map((r) => r.json.type)
          .sort(),
        ['order.cancelled', 'order.refunded'],
      );
      const last = ofType('order.refunded').at(-1)!.json.data;
      assert.deepEqual(
        [last.status, last.payment_status, last.amount_refunded],
        ['cancelled', 'refunded', 20],
      );
      // The payload is the order as the API shows it once that transaction committed.
      assert.deepEqual(last, (await call('GET', `/api/orders/${orderId}`)).json());
    });

    it('announces order.paid when an authorized payment is captured at shipment', async () => {
      await subscribe(['order.created', 'order.paid', 'order.shipped']);
      const buyer = await t.customer();
      await addToCart(t, buyer.token, await insertProduct(t, { price_cents: 700, stock: 10 }), 1);
      const res = await payWith(t, buyer.token, 'tok_authorize_only');
      assert.equal(res.statusCode, 201, res.body);
      const orderId: number = res.json().order.id;
      await drain();
      assert.deepEqual(
        receiver.received.map((r) => r.json.type),
        ['order.created'],
      );
      assert.equal(receiver.received[0]!.json.data.payment_status, 'authorized');
      const shipped = await call('POST', `/api/orders/${orderId}/shipments`, {
        carrier: 'DHL',
        tracking_number: 'X1',
      });
      assert.equal(shipped.statusCode, 201, shipped.body);
      await drain();
      assert.deepEqual(receiver.received.map((r) => r.json.type).sort(), [
        'order.created',
        'order.paid',
        'order.shipped',
      ]);
      assert.deepEqual(
        [ofType('order.paid')[0]!.json.data.status, ofType('order.paid')[0]!.json.data.amount_paid],
        ['pending', 7],
      );
    });

    it('announces nothing for a checkout the card declined: the order was never shown', async () => {
      const { id } = await subscribe(['*']);
      const productId = await insertProduct(t, { price_cents: 500, stock: 6 });
      const buyer = await t.customer();
      await addToCart(t, buyer.token, productId, 2);
      for (const card of ['tok_declined', 'tok_provider_down']) {
        const res = await payWith(t, buyer.token, card);
        assert.ok(res.statusCode === 402 || res.statusCode === 502, res.body);
      }
      await drain();
      const orderEvents = receiver.received.filter((r) => r.json.type.startsWith('order.'));
      assert.deepEqual(orderEvents, []);
      assert.ok(
        (await deliveries(id)).every((d: { event_type?: string }) => !d.event_type?.startsWith('order.')),
      );
      const events = (await call('GET', '/api/admin/events?type=order.created')).json();
      assert.ok(events.every((e: { data: { user_id: number } }) => e.data.user_id !== buyer.id));
      // The same cart paid for is announced once.
      assert.equal((await payWith(t, buyer.token, 'tok_visa')).statusCode, 201);
      await drain();
      assert.deepEqual(
        receiver.received
          .filter((r) => r.json.type.startsWith('order.'))
          .map((r) => r.json.type)
          .sort(),
        ['order.created', 'order.paid'],
      );
    });

    it('sends only subscribed types, and nothing for a change that rolled back', async () => {
      const { id } = await subscribe(['order.created']);
      const productId = await insertProduct(t, { stock: 1 });
      const buyer = await t.customer();
      await addToCart(t, buyer.token, productId, 1);
      const setStock = (stock: number) =>
        t.db.updateTable('product_variants').set({ stock }).where('product_id', '=', productId).execute();
      await setStock(0); // sold elsewhere meanwhile: the checkout is refused and changes nothing
      assert.equal((await checkout(t, buyer.token)).statusCode, 409);
      await product();
      await drain();
      assert.equal(receiver.received.length, 0);
      assert.deepEqual(await deliveries(id), []);
      await setStock(1);
      assert.equal((await checkout(t, buyer.token)).statusCode, 201);
      await drain();
      assert.deepEqual(
        receiver.received.map((r) => r.json.type),
        ['order.created'],
      );
    });

    it('retries a 5xx (and a 3xx, never followed) with the same webhook-id until a 2xx', async () => {
      const { id, secret } = await subscribe(['product.created']);
      const answers = [503, 302, 500, 200];
      receiver.answer = (_request, n) => answers[n] ?? 200;
      await product();
      await drain();
      assert.equal(receiver.received.length, 1);
      let [delivery] = await deliveries(id);
      assert.equal(delivery.status, 'pending');
      assert.equal(delivery.attempts, 1);
      assert.equal(delivery.last_status_code, 503);
      assert.equal(delivery.last_error, 'HTTP 503');
      const due = Date.parse(delivery.next_attempt_at) - t.clock.now().getTime();
      assert.ok(due >= 7_500 && due <= 15_000, `first retry after ${due} ms`);
      // Not due yet: nothing is sent.
      await drain();
      assert.equal(receiver.received.length, 1);

      for (let attempt = 2; attempt <= 4; attempt++) {
        t.clock.advance(10 * MINUTE);
        await drain();
        assert.equal(receiver.received.length, attempt);
      }
      [delivery] = await deliveries(id);
      assert.equal(delivery.status, 'delivered');
      assert.equal(delivery.attempts, 4);
      assert.equal(delivery.last_status_code, 200);
      assert.equal(delivery.next_attempt_at, null);
      assert.equal(new Set(receiver.received.map((r) => r.id)).size, 1);
      assert.equal(new Set(receiver.received.map((r) => r.body)).size, 1);
      assert.ok(receiver.received.every((r) => signedWith(secret, r)));
    });

    it('fails a delivery after about three days of retries; a manual retry sends it again', async () => {
      const { id } = await subscribe(['product.created']);
      receiver.answer = () => 500;
      await product();
      await drain();
      let attempts = 1;
      for (let hour = 0; hour < 80; hour++) {
        t.clock.advance(60 * MINUTE);
        await drain();
        attempts = receiver.received.length;
      }
      const [delivery] = await deliveries(id);
      assert.equal(delivery.status, 'failed');
      assert.equal(delivery.attempts, attempts);
      assert.ok(attempts >= 12 && attempts <= 25, `${attempts} attempts`);

      receiver.answer = () => 200;
      const retried = await call('POST', `/api/admin/webhook-deliveries/${delivery.id}/retry`);
      assert.equal(retried.statusCode, 202, retried.body);
      assert.equal(retried.json().status, 'pending');
      await drain();
      const [after] = await deliveries(id);
      assert.equal(after.status, 'delivered');
      assert.equal(receiver.received.at(-1)?.id, receiver.received[0]?.id);
      assert.equal((await call('POST', '/api/admin/webhook-deliveries/999999/retry')).statusCode, 404);
    });

    it('disables an endpoint that answers 410 Gone', async () => {
      const { id } = await subscribe(['product.created']);
      receiver.answer = () => 410;
      await product();
      await drain();
      const [delivery] = await deliveries(id);
      assert.equal(delivery.status, 'failed');
      assert.equal(delivery.last_status_code, 410);
      assert.equal((await call('GET', `/api/admin/webhooks/${id}`)).json().enabled, false);
      // Disabled: new events are not queued for it, and a manual retry says why not.
      await product();
      await drain();
      assert.equal(receiver.received.length, 1);
      assert.equal((await deliveries(id)).length, 1);
      assert.equal(
        (await call('POST', `/api/admin/webhook-deliveries/${delivery.id}/retry`)).statusCode,
        409,
      );
    });

    it('rotates the secret: both secrets sign for 24 hours, then only the new one', async () => {
      const { id, secret: old } = await subscribe(['product.created']);
      const rotated = await call('POST', `/api/admin/webhooks/${id}/rotate-secret`);
      assert.equal(rotated.statusCode, 200, rotated.body);
      const fresh = rotated.json().secret as string;
      assert.match(fresh, /^whsec_/);
      assert.notEqual(fresh, old);
      await product();
      await drain();
      const during = receiver.received[0] as Received;
      assert.equal(during.signatures.length, 2);
      assert.ok(signedWith(old, during) && signedWith(fresh, during));

      t.clock.advance(24 * 60 * MINUTE + MINUTE);
      await product();
      await drain();
      const later = receiver.received[1] as Received;
      assert.equal(later.signatures.length, 1);
      assert.ok(signedWith(fresh, later));
      assert.ok(!signedWith(old, later));
      assert.equal((await call('POST', '/api/admin/webhooks/999999/rotate-secret')).statusCode, 404);
    });

    it('a receiver that never answers slows neither the API nor other endpoints', async () => {
      const hanging = await startReceiver(() => 'hang');
      try {
        await subscribe(['product.created'], hanging.url);
        await subscribe(['product.created']);
        t.app.webhookDispatcher.start();
        const timings: number[] = [];
        for (let i = 0; i < 5; i++) {
          const started = performance.now();
          await product();
          timings.push(performance.now() - started);
        }
        // Every event reached the healthy receiver while the other still holds its requests.
        await receiver.waitFor((got) => got.length === 5, 1_500);
        await hanging.waitFor((got) => got.length >= 1, 1_500);
        assert.ok(
          Math.max(...timings) < 500,
          `API answered in ${timings.map((ms) => ms.toFixed(0)).join(', ')} ms`,
        );
      } finally {
        await t.app.webhookDispatcher.stop();
        await hanging.close();
      }
    });
  });

  describe(`webhook URLs that lead inside (${dialect})`, () => {
    let t: TestApp;
    let receiver: Receiver;
    before(async () => {
      t = await buildTestApp(dialect);
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await t.close();
    });

    it('refuses loopback, private, link-local, metadata and mapped addresses, and names that resolve to them', async () => {
      const token = await t.adminToken();
      const refused = [
        'http://127.0.0.1/hook',
        'http://127.1:8080/hook',
        'http://10.1.2.3/hook',
        'http://172.16.0.1/hook',
        'http://192.168.1.10/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://100.64.0.1/hook',
        'http://0.0.0.0/hook',
        'http://224.0.0.1/hook',
        'http://[::1]/hook',
        'http://[::]/hook',
        'http://[fe80::1]/hook',
        'http://[fd00::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://localhost:3000/hook',
        receiver.url,
      ];
      for (const url of refused) {
        const res = await t.request({
          method: 'POST',
          url: '/api/admin/webhooks',
          token,
          payload: { url, events: ['*'] },
        });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.equal(res.json().errors[0].path, '/url');
      }
      const listed = await t.request({ method: 'GET', url: '/api/admin/webhooks', token });
      assert.deepEqual(listed.json(), []);
    });

    it('refuses a private address at delivery time too (an address that changed after the check)', async () => {
      // As if DNS now pointed the name at loopback: the row holds a URL the API would refuse.
      const now = t.clock.now().toISOString();
      const endpoint = await t.db
        .insertInto('webhook_endpoints')
        .values({
          url: receiver.url.replace('127.0.0.1', 'localhost'),
          description: null,
          enabled: 1,
          secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx',
          previous_secret: null,
          previous_secret_expires_at: null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('webhook_subscriptions')
        .values({ endpoint_id: endpoint.id, event_type: '*' })
        .execute();
      const token = await t.adminToken();
      const created = await t.request({
        method: 'POST',
        url: '/api/products',
        token,
        payload: { name: 'Lamp', price: 5, category_id: 1 },
      });
      assert.equal(created.statusCode, 201);
      await t.app.webhookDispatcher.drain();
      assert.equal(receiver.received.length, 0);
      const [delivery] = (
        await t.request({ method: 'GET', url: `/api/admin/webhooks/${endpoint.id}/deliveries`, token })
      ).json();
      assert.equal(delivery.status, 'pending');
      assert.equal(delivery.last_status_code, null);
      assert.match(delivery.last_error, /loopback address/);
      await t.db
        .updateTable('webhook_endpoints')
        .set({ url: receiver.url })
        .where('id', '=', endpoint.id)
        .execute();
      await t.request({ method: 'POST', url: `/api/admin/webhook-deliveries/${delivery.id}/retry`, token });
      await t.app.webhookDispatcher.drain();
      assert.equal(receiver.received.length, 0);
    });
  });
}
