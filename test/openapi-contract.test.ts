import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { makeImage, multipart } from './helpers/media.js';
import { contractClient, type OpenApiDocument } from './helpers/openapi-contract.js';
import { newWebhookSecret, paymentEnv, signedWebhook } from './helpers/payments.js';

const image = async () =>
  multipart([
    { name: 'image', filename: 'photo.png', contentType: 'image/png', data: await makeImage('png') },
  ]);

// Every documented 2xx answer of a store's life, from sign-up to shipping, checked against the
// OpenAPI document the app serves: status, content type, body schema and documented headers.
for (const dialect of testDialects()) {
  describe(`OpenAPI contract (${dialect})`, () => {
    let t: TestApp;
    let api: ReturnType<typeof contractClient>;
    const webhookSecret = newWebhookSecret();
    before(async () => {
      t = await buildTestApp(dialect, { env: paymentEnv(webhookSecret) });
      const document = (
        await t.request({ method: 'GET', url: '/api/openapi.json' })
      ).json() as OpenApiDocument;
      api = contractClient(t, document);
    });
    after(() => t.close());

    it('answers a realistic sequence as documented, covering every operation with a 2xx', async () => {
      const { call } = api;
      await call('GET', '/health');
      await call('GET', '/ready');

      // A shopper signs up and in.
      const username = `shopper${process.pid}`;
      const password = 'correct-horse-1';
      const registered = await call('POST', '/api/register', { payload: { username, password } });
      const shopperId = registered.json().user.id as number;
      let tokens = (await call('POST', '/api/login', { payload: { username, password } })).json();
      tokens = (
        await call('POST', '/api/refresh', { payload: { refresh_token: tokens.refresh_token } })
      ).json();
      const token = tokens.access_token as string;
      await call('GET', '/api/users/me', { token });
      await call('PATCH', '/api/users/me', { token, payload: { first_name: 'Ada', address: '1 Main St' } });
      await call('POST', '/api/user/profile-image', { token, ...(await image()) });
      await call('GET', '/api/user/profile-image', { token });
      await call('DELETE', '/api/user/profile-image', { token });

      // The admin stocks the store.
      const admin = (
        await call('POST', '/api/login', { payload: { username: 'admin', password: ADMIN_PASSWORD } })
      ).json().access_token as string;
      const category = (
        await call('POST', '/api/categories', { token: admin, payload: { name: 'Lamps' } })
      ).json();
      await call('PATCH', '/api/categories/{id}', {
        token: admin,
        params: { id: category.id },
        payload: { name: 'Lighting' },
      });
      const created = async (name: string, price: number, stock: number) =>
        (
          await call('POST', '/api/products', {
            token: admin,
            payload: { name, price, stock, category_id: category.id, description: `A ${name}` },
          })
        ).json();
      const lamp = await created('Brass lamp', 24.5, 10);
      const bulb = await created('Warm bulb', 3.99, 50);
      const scrap = await created('Scrap', 1, 1);
      await call('PATCH', '/api/products/{id}', {
        token: admin,
        params: { id: lamp.id },
        payload: { price: 25 },
      });
      await call('PUT', '/api/products/{id}', {
        token: admin,
        params: { id: bulb.id },
        payload: { stock: 60 },
      });
      await call('DELETE', '/api/products/{id}', { token: admin, params: { id: scrap.id } });
      await call('POST', '/api/products/{id}/image', {
        token: admin,
        params: { id: lamp.id },
        ...(await image()),
      });
      const gallery = (
        await call('POST', '/api/products/{id}/images', {
          token: admin,
          params: { id: lamp.id },
          ...(await image()),
        })
      ).json();
      await call('DELETE', '/api/products/{id}/images/{image_id}', {
        token: admin,
        params: { id: lamp.id, image_id: gallery.id },
      });
      const scrapImage = await created('Scrap with an image', 2, 1);
      await call('POST', '/api/products/{id}/image', {
        token: admin,
        params: { id: scrapImage.id },
        ...(await image()),
      });
      const withImage = (await call('GET', '/api/products/{id}/image', { params: { id: lamp.id } })).json();
      const [dir, file] = new URL(withImage.image_url, 'http://x').pathname.replace('/media/', '').split('/');
      await call('GET', '/media/{dir}/{file}', { params: { dir: dir!, file: file! } });
      await call('DELETE', '/api/products/{id}/image', { token: admin, params: { id: scrapImage.id } });

      const now = Date.now();
      const offer = (
        await call('POST', '/api/offers', {
          token: admin,
          payload: {
            name: 'Spring',
            discount_percent: 10,
            start_time: new Date(now - 3_600_000).toISOString(),
            end_time: new Date(now + 86_400_000).toISOString(),
          },
        })
      ).json();
      await call('PATCH', '/api/offers/{id}', {
        token: admin,
        params: { id: offer.id },
        payload: { name: 'Spring sale' },
      });
      await call('POST', '/api/offers/{offer_id}/apply/{product_id}', {
        token: admin,
        params: { offer_id: offer.id, product_id: bulb.id },
      });
      await call('GET', '/api/offers', { token: admin });
      await call('GET', '/api/offers/{id}', { token: admin, params: { id: offer.id } });

      // Serialized stock: a second lamp model sold by serial number.
      const serialized = await created('Serial lamp', 99, 0);
      const units = (
        await call('POST', '/api/products/{id}/units', {
          token: admin,
          params: { id: serialized.id },
          payload: { count: 3 },
        })
      ).json();
      await call('GET', '/api/products/{id}/units', { token: admin, params: { id: serialized.id } });

      // The shopper browses: lists with paging headers, ETags and a 304 revalidation.
      const listing = await call('GET', '/api/products', { query: 'limit=2' });
      assert.ok(listing.headers.link, 'a first page of 2 has a next link');
      await call('GET', '/api/products', {
        headers: { 'if-none-match': String(listing.headers.etag) },
        query: 'limit=2',
      });
      await call('GET', '/api/products/{id}', { params: { id: lamp.id } });
      await call('GET', '/api/categories');
      await call('GET', '/api/categories/{id}/products', { params: { id: category.id } });
      await call('GET', '/api/offers/active');
      await call('GET', '/api/products/{id}/recommendations', { params: { id: lamp.id } });

      // Cart and checkout.
      await call('POST', '/api/cart', { token, payload: { product_id: lamp.id, quantity: 1 } });
      await call('POST', '/api/cart', { token, payload: { product_id: bulb.id, quantity: 4 } });
      await call('POST', '/api/cart', { token, payload: { product_id: serialized.id, quantity: 1 } });
      await call('PATCH', '/api/cart/items/{product_id}', {
        token,
        params: { product_id: bulb.id },
        payload: { quantity: 2 },
      });
      // A product in Color × Size: its variants and options, and a cart line of one variant.
      const tee = (
        await call('POST', '/api/products', {
          token: admin,
          payload: {
            name: 'Contract tee',
            price: 15,
            category_id: 1,
            options: [{ name: 'Size', values: ['S', 'M'] }],
            variants: [
              { sku: 'CT-S', option_values: { Size: 'S' }, stock: 4 },
              { sku: 'CT-M', option_values: { Size: 'M' }, stock: 4 },
            ],
          },
        })
      ).json();
      await call('GET', '/api/products/{id}/variants', { params: { id: tee.id } });
      const large = (
        await call('PATCH', '/api/products/{id}/options/{option_id}', {
          token: admin,
          params: { id: tee.id, option_id: tee.options[0].id },
          payload: { values: ['L'] },
        })
      ).json();
      assert.deepEqual(large.options[0].values, ['S', 'M', 'L']);
      const added = (
        await call('POST', '/api/products/{id}/variants', {
          token: admin,
          params: { id: tee.id },
          payload: { option_values: { Size: 'L' }, stock: 1 },
        })
      ).json();
      await call('PATCH', '/api/variants/{id}', {
        token: admin,
        params: { id: added.id },
        payload: { price: 16 },
      });
      await call('DELETE', '/api/variants/{id}', { token: admin, params: { id: added.id } });
      await call('POST', '/api/products/{id}/options', {
        token: admin,
        params: { id: tee.id },
        payload: { name: 'Fit', values: ['Regular'] },
      });
      const withTee = (
        await call('POST', '/api/cart', {
          token,
          payload: { product_id: tee.id, variant_id: tee.variants[0].id },
        })
      ).json();
      const teeLine = withTee.cart.items.find((l: { product_id: number }) => l.product_id === tee.id).id;
      await call('PATCH', '/api/cart/lines/{line_id}', {
        token,
        params: { line_id: teeLine },
        payload: { quantity: 2 },
      });
      await call('DELETE', '/api/cart/lines/{line_id}', { token, params: { line_id: teeLine } });
      await call('GET', '/api/cart', { token });
      const idempotency = randomUUID();
      const checkout = {
        token,
        headers: { 'idempotency-key': idempotency },
        payload: { shipping_address: '1 Main St' },
      };
      const order = (await call('POST', '/api/checkout', checkout)).json().order;
      const replay = await call('POST', '/api/checkout', checkout);
      assert.equal(replay.statusCode, 200);
      await call('GET', '/api/orders', { token });
      await call('GET', '/api/orders/{id}', { token, params: { id: order.id } });
      await call('GET', '/api/units/{serial_number}', {
        token: admin,
        params: { serial_number: units[0].serial_number },
      });

      // A second order, cancelled by the shopper; a cart line removed, the cart emptied.
      await call('POST', '/api/cart', { token, payload: { product_id: lamp.id } });
      const second = (await call('POST', '/api/checkout', { token, payload: {} })).json().order;
      await call('POST', '/api/orders/{id}/cancel', { token, params: { id: second.id } });
      await call('POST', '/api/cart', { token, payload: { product_id: lamp.id } });
      await call('POST', '/api/cart', { token, payload: { product_id: bulb.id } });
      await call('DELETE', '/api/cart/items/{product_id}', { token, params: { product_id: bulb.id } });
      await call('DELETE', '/api/cart', { token });

      // Payments: a card needing 3-D Secure, confirmed; the provider's webhook; capture, refund, ship.
      await call('GET', '/api/payment-providers');
      await call('POST', '/api/cart', { token, payload: { product_id: lamp.id } });
      const card = { token, payload: { payment: { provider: 'test', token: 'tok_3ds' } } };
      const paid = (await call('POST', '/api/checkout', card)).json();
      await call('POST', '/api/payments/{id}/confirm', { token, params: { id: paid.payment.id } });
      const event = { type: 'payment.authorized' as const, reference: paid.payment.provider_reference };
      const paymentHook = signedWebhook(webhookSecret, event);
      await call('POST', '/api/payments/webhooks/{provider}', {
        params: { provider: 'test' },
        ...paymentHook,
      });
      const byId = { token: admin, params: { id: paid.order.id } };
      await call('GET', '/api/orders/{id}/events', { token, params: { id: paid.order.id } });
      await call('POST', '/api/orders/{id}/capture', { ...byId, payload: {} });
      await call('POST', '/api/orders/{id}/refunds', { ...byId, payload: { amount: 1 } });
      await call('POST', '/api/orders/{id}/shipments', {
        ...byId,
        payload: { carrier: 'DHL', tracking_number: 'X' },
      });
      await call('POST', '/api/orders/{id}/deliver', byId);

      // The admin runs the store.
      await call('PATCH', '/api/orders/{id}/status', {
        token: admin,
        params: { id: order.id },
        payload: { status: 'shipped' },
      });
      await call('GET', '/api/admin/orders', { token: admin });
      await call('GET', '/api/admin/inventory', { token: admin });
      await call('GET', '/api/admin/reports/sales', { token: admin });
      await call('GET', '/api/admin/users', { token: admin });
      await call('PATCH', '/api/admin/users/{id}', {
        token: admin,
        params: { id: shopperId },
        payload: { is_admin: false },
      });
      await call('DELETE', '/api/offers/{id}', { token: admin, params: { id: offer.id } });
      const empty = (
        await call('POST', '/api/categories', { token: admin, payload: { name: 'Empty' } })
      ).json();
      await call('DELETE', '/api/categories/{id}', { token: admin, params: { id: empty.id } });

      // Another system hears of it all: a webhook endpoint (a public address: no DNS needed), the
      // deliveries queued for it, the event log. No dispatcher runs here, so nothing is sent.
      const hook = (
        await call('POST', '/api/admin/webhooks', {
          token: admin,
          payload: { url: 'https://93.184.215.14/hooks/mercato', events: ['*'], description: 'ERP' },
        })
      ).json();
      await call('POST', '/api/products', {
        token: admin,
        payload: { name: 'Hooked', price: 2, category_id: category.id },
      });
      await call('GET', '/api/admin/webhooks', { token: admin });
      await call('GET', '/api/admin/webhooks/{id}', { token: admin, params: { id: hook.id } });
      await call('PATCH', '/api/admin/webhooks/{id}', {
        token: admin,
        params: { id: hook.id },
        payload: { events: ['product.created'] },
      });
      await call('POST', '/api/admin/webhooks/{id}/rotate-secret', { token: admin, params: { id: hook.id } });
      const [delivery] = (
        await call('GET', '/api/admin/webhooks/{id}/deliveries', { token: admin, params: { id: hook.id } })
      ).json();
      await call('POST', '/api/admin/webhook-deliveries/{id}/retry', {
        token: admin,
        params: { id: delivery.id },
      });
      await call('GET', '/api/admin/events', { token: admin, query: 'type=product.created' });
      await call('DELETE', '/api/admin/webhooks/{id}', { token: admin, params: { id: hook.id } });

      // An MCP client talks JSON-RPC on the same document's terms.
      await call('POST', '/mcp', {
        headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      });

      // The shopper leaves: logout, then deletes the account.
      const fresh = (await call('POST', '/api/login', { payload: { username, password } })).json();
      await call('POST', '/api/logout', { payload: { refresh_token: fresh.refresh_token } });
      await call('DELETE', '/api/users/me', { token: fresh.access_token, payload: { password } });

      assert.deepEqual(api.unchecked(), []);
    });
  });
}
