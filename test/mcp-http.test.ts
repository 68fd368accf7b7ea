import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';
import {
  ADMIN_TOOLS,
  CATALOG_TOOLS,
  call,
  callFails,
  connectHttp,
  toolNames,
  USER_TOOLS,
} from './helpers/mcp.js';

for (const dialect of testDialects()) {
  describe(`MCP over Streamable HTTP (${dialect})`, () => {
    let t: TestApp;
    let base: string;
    const clients: Client[] = [];
    const connect = async (token?: string) => {
      const client = await connectHttp(base, token);
      clients.push(client);
      return client;
    };

    before(async () => {
      t = await buildTestApp(dialect);
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => {
      for (const client of clients) await client.close();
      await t.close();
    });

    it('lists the catalog tools to anyone, cart and orders to users, admin tools to admins', async () => {
      const anonymous = await connect();
      const customer = await connect((await t.customer()).token);
      const admin = await connect(await t.adminToken());
      assert.deepEqual(await toolNames(anonymous), CATALOG_TOOLS);
      assert.deepEqual(await toolNames(customer), USER_TOOLS);
      assert.deepEqual(await toolNames(admin), ADMIN_TOOLS);
      const tools = (await admin.listTools()).tools;
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, 'object', tool.name);
        assert.equal(tool.outputSchema?.type, 'object', tool.name);
        assert.ok(tool.description && tool.description.length > 20, tool.name);
      }
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      assert.deepEqual(byName.get('checkout')!.inputSchema.required, ['idempotency_key']);
      assert.equal(byName.get('search_products')!.annotations?.readOnlyHint, true);
      assert.equal(byName.get('add_to_cart')!.annotations?.destructiveHint, false);
      // Absent: MCP's default, destructive.
      assert.equal(byName.get('cancel_order')!.annotations?.destructiveHint, undefined);
    });

    it('keeps the admin tool list under 20 KB, every argument described, results lean', async () => {
      const admin = await connect(await t.adminToken());
      const listed = await admin.listTools();
      const bytes = Buffer.byteLength(JSON.stringify(listed));
      assert.ok(bytes < 20_000, `the admin tool list is ${bytes} bytes`);
      const undescribed: string[] = [];
      const visit = (schema: Record<string, unknown>, path: string) => {
        for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, object>)) {
          if (!('description' in property)) undescribed.push(`${path}.${name}`);
          visit(property as Record<string, unknown>, `${path}.${name}`);
        }
      };
      for (const tool of listed.tools) visit(tool.inputSchema, tool.name);
      assert.deepEqual(undescribed, []);

      const vase = await catalog(t).product({ name: 'Lean vase', price: 10, stock: 3 });
      const found = await call(admin, 'search_products', { q: 'lean vase' });
      assert.deepEqual(found.items, [
        {
          id: vase.id,
          name: 'Lean vase',
          price: 10,
          current_price: 10,
          stock: 3,
          category_id: vase.category_id,
          offer_id: null,
          offer_name: null,
          variants: [{ id: vase.variants[0].id, title: 'Default', sku: null, current_price: 10, stock: 3 }],
        },
      ]);
      assert.deepEqual(Object.keys(found), ['items', 'total']);
    });

    it('runs a whole purchase through tools, and REST sees the same order', async () => {
      const fixtures = catalog(t);
      const lamp = await fixtures.product({ name: 'Brass reading lamp', price: 24.5, stock: 5 });
      await fixtures.product({ name: 'Desk fan', price: 30, stock: 5 });
      const shopper = await t.customer();
      const client = await connect(shopper.token);

      const found = await call(client, 'search_products', { q: 'lamp' });
      assert.deepEqual(
        found.items.map((p: { id: number }) => p.id),
        [lamp.id],
      );
      assert.equal(found.total, 1);
      const cart = await call(client, 'add_to_cart', { product_id: lamp.id, quantity: 2 });
      assert.equal(cart.item_count, 2);
      const viewed = await call(client, 'view_cart');
      assert.equal(viewed.grand_total, 49);
      assert.deepEqual(viewed.items, [
        {
          line_id: viewed.items[0].line_id,
          product_id: lamp.id,
          variant_id: lamp.variants[0].id,
          name: 'Brass reading lamp',
          variant_title: 'Default',
          quantity: 2,
          unit_price: 24.5,
          line_total: 49,
        },
      ]);

      const bought = await call(client, 'checkout', {
        idempotency_key: randomUUID(),
        shipping_address: '1 Main St',
      });
      assert.equal(bought.replayed, false);
      assert.equal(bought.total_paid, 49);
      const order = await call(client, 'get_order', { order_id: bought.order.id });
      assert.deepEqual(order, bought.order);

      const rest = await t.request({ method: 'GET', url: `/api/orders/${order.id}`, token: shopper.token });
      assert.equal(rest.statusCode, 200);
      // The tool's order is the REST order without what a model does not need.
      const { items: lines, ...head } = order;
      const full = rest.json();
      assert.deepEqual(Object.fromEntries(Object.keys(head).map((key) => [key, full[key]])), head);
      assert.equal(full.shipping_address, '1 Main St');
      type Line = Record<string, unknown>;
      assert.deepEqual(
        full.items.map((line: Line) =>
          Object.fromEntries(Object.keys(lines[0]).map((key) => [key, line[key]])),
        ),
        lines,
      );
      assert.deepEqual(
        (await t.request({ method: 'GET', url: '/api/cart', token: shopper.token })).json().items,
        [],
      );
      assert.equal((await t.request({ method: 'GET', url: `/api/products/${lamp.id}` })).json().stock, 3);

      const listed = await call(client, 'list_orders');
      assert.deepEqual(
        listed.items.map((o: { id: number }) => o.id),
        [order.id],
      );
      const cancelled = await call(client, 'cancel_order', { order_id: order.id });
      assert.equal(cancelled.status, 'cancelled');
      assert.equal((await t.request({ method: 'GET', url: `/api/products/${lamp.id}` })).json().stock, 5);
    });

    it('gives one order for the same idempotency key twice', async () => {
      const product = await catalog(t).product({ name: 'Idempotent kettle', stock: 10 });
      const shopper = await t.customer();
      const client = await connect(shopper.token);
      await call(client, 'add_to_cart', { product_id: product.id });
      const key = randomUUID();
      const first = await call(client, 'checkout', { idempotency_key: key });
      const second = await call(client, 'checkout', { idempotency_key: key });
      assert.equal(second.replayed, true);
      assert.equal(second.order.id, first.order.id);
      const orders = await t.request({ method: 'GET', url: '/api/orders', token: shopper.token });
      assert.equal(orders.headers['x-total-count'], '1');
      assert.equal((await t.request({ method: 'GET', url: `/api/products/${product.id}` })).json().stock, 9);
    });

    it('refuses admin tools to customers and user tools to anonymous callers, as tool errors', async () => {
      const before = (await t.request({ method: 'GET', url: '/api/products' })).headers['x-total-count'];
      const customer = await connect((await t.customer()).token);
      const denied = await callFails(customer, 'create_product', { name: 'Nope', price: 1, category_id: 1 });
      assert.equal(denied.code, 'forbidden');
      assert.equal(denied.status, 403);
      assert.equal((await callFails(customer, 'inventory_report')).code, 'forbidden');
      assert.equal(
        (await t.request({ method: 'GET', url: '/api/products' })).headers['x-total-count'],
        before,
      );

      const anonymous = await connect();
      assert.equal((await callFails(anonymous, 'view_cart')).code, 'unauthorized');
      await assert.rejects(anonymous.callTool({ name: 'no_such_tool', arguments: {} }), /Unknown tool/);
    });

    it('answers bad arguments with validation_failed and changes nothing', async () => {
      const product = await catalog(t).product({ name: 'Validated vase', stock: 3 });
      const shopper = await t.customer();
      const client = await connect(shopper.token);
      for (const args of [
        { product_id: String(product.id) },
        { product_id: product.id, quantity: 0 },
        { product_id: product.id, quantity: 1, price: 0.01 },
        {},
      ]) {
        const problem = await callFails(client, 'add_to_cart', args);
        assert.equal(problem.code, 'validation_failed', JSON.stringify(args));
        assert.equal(problem.status, 400);
        assert.ok(problem.errors && problem.errors.length > 0);
      }
      const extra = await callFails(client, 'add_to_cart', { product_id: product.id, is_admin: true });
      assert.deepEqual(extra.errors, [{ path: '/is_admin', message: 'is not an allowed field' }]);
      assert.deepEqual(
        (await t.request({ method: 'GET', url: '/api/cart', token: shopper.token })).json().items,
        [],
      );
      assert.equal((await callFails(client, 'checkout', {})).code, 'validation_failed');
      assert.equal(
        (await t.request({ method: 'GET', url: '/api/orders', token: shopper.token })).json().length,
        0,
      );

      const admin = await connect(await t.adminToken());
      const count = async () =>
        (await t.request({ method: 'GET', url: '/api/products' })).headers['x-total-count'];
      const before = await count();
      const bad = await callFails(admin, 'create_product', { name: 'Cheap', price: 1.999, category_id: 1 });
      assert.equal(bad.code, 'validation_failed');
      assert.equal(await count(), before);
    });

    it('answers a NUL byte in tool arguments as that tool’s validation error, not an HTTP 400', async () => {
      const NUL = '\u0000';
      const anonymous = await connect();
      const search = await callFails(anonymous, 'search_products', { q: `lamp${NUL}` });
      const rest = await t.request({ method: 'GET', url: `/api/products?q=lamp${encodeURIComponent(NUL)}` });
      assert.equal(rest.statusCode, 400);
      // The same problem as REST's, but for where the value sat (REST's path says `query:/q`).
      const { code, status, title, type } = rest.json();
      assert.deepEqual(
        { code, status, title, type },
        {
          code: search.code,
          status: search.status,
          title: search.title,
          type: search.type,
        },
      );
      assert.deepEqual(search.errors, [{ path: '/q', message: 'must not contain a NUL character' }]);

      const admin = await connect(await t.adminToken());
      const count = async () =>
        (await t.request({ method: 'GET', url: '/api/products' })).headers['x-total-count'];
      const before = await count();
      const refused = await callFails(admin, 'create_product', {
        name: `Lamp${NUL}`,
        price: 10,
        category_id: 1,
      });
      assert.equal(refused.code, 'validation_failed');
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.errors, [{ path: '/name', message: 'must not contain a NUL character' }]);
      assert.equal(await count(), before);
      // The session goes on: the refusal was one tool call's, not the HTTP request's.
      assert.equal(typeof (await call(admin, 'search_products', { q: 'lamp' })).total, 'number');
    });

    it('shows variants compactly and adds a variant to the cart by variant_id', async () => {
      const product = await catalog(t).product({
        name: 'Tool tee',
        price: 20,
        stock: undefined,
        options: [{ name: 'Size', values: ['S', 'M'] }],
        variants: [
          { sku: 'MCP-TEE-S', option_values: { Size: 'S' }, stock: 2 },
          { sku: 'MCP-TEE-M', option_values: { Size: 'M' }, stock: 0, price: 22 },
        ],
      });
      const [small, medium] = product.variants;
      const client = await connect((await t.customer()).token);
      const found = await client.callTool({ name: 'search_products', arguments: { q: 'mcp-tee-s' } });
      const text = (found.content as Array<{ text: string }>)[0]!.text;
      assert.match(text, new RegExp(`#${product.id} Tool tee from 20\\.00 .*2 variants`));
      assert.match(text, new RegExp(`variant ${small.id} S \\[MCP-TEE-S\\] 20\\.00 \\(2 in stock\\)`));
      assert.match(text, new RegExp(`variant ${medium.id} M \\[MCP-TEE-M\\] 22\\.00 \\(out of stock\\)`));
      const got = await call(client, 'get_product', { product_id: product.id });
      assert.deepEqual(
        got.variants.map((v: { sku: string }) => v.sku),
        ['MCP-TEE-S', 'MCP-TEE-M'],
      );

      const ambiguous = await callFails(client, 'add_to_cart', { product_id: product.id });
      assert.equal(ambiguous.code, 'variant_required');
      assert.deepEqual(
        (ambiguous.variants as Array<{ id: number }>).map((v) => v.id),
        [small.id, medium.id],
      );
      const cart = await call(client, 'add_to_cart', {
        product_id: product.id,
        variant_id: small.id,
        quantity: 2,
      });
      assert.deepEqual(
        cart.items.map((l: { variant_id: number; quantity: number }) => [l.variant_id, l.quantity]),
        [[small.id, 2]],
      );
      const lineId = cart.items[0].line_id;
      const updated = await call(client, 'update_cart_item', { line_id: lineId, quantity: 1 });
      assert.equal(updated.items[0].quantity, 1);
      const emptied = await call(client, 'remove_from_cart', { product_id: product.id });
      assert.deepEqual(emptied.items, []);
    });

    it('reports business failures with the same problem code as REST', async () => {
      const product = await catalog(t).product({ name: 'Scarce spoon', stock: 1 });
      const shopper = await t.customer();
      const client = await connect(shopper.token);
      const viaTool = await callFails(client, 'add_to_cart', { product_id: product.id, quantity: 2 });
      const viaRest = await t.request({
        method: 'POST',
        url: '/api/cart',
        token: shopper.token,
        payload: { product_id: product.id, quantity: 2 },
      });
      assert.equal(viaRest.statusCode, 409);
      // One problem builder: the tool error is the REST body but for the request path.
      const { instance, ...restProblem } = viaRest.json();
      assert.equal(instance, '/api/cart');
      assert.deepEqual(viaTool, restProblem);
      const refusedByTool = await callFails(client, 'add_to_cart', {
        product_id: product.id,
        is_admin: true,
      });
      const refusedByRest = await t.request({
        method: 'POST',
        url: '/api/cart',
        token: shopper.token,
        payload: { product_id: product.id, is_admin: true },
      });
      const { instance: _path, ...restRefusal } = refusedByRest.json();
      assert.deepEqual(refusedByTool, restRefusal);
      assert.equal(viaTool.code, 'insufficient_stock');
      assert.equal(viaTool.status, 409);
      assert.equal((await callFails(client, 'get_product', { product_id: 999999 })).code, 'not_found');
      assert.equal(
        (await callFails(client, 'checkout', { idempotency_key: randomUUID() })).code,
        'bad_request',
      );
    });

    it('runs admin tools through the same services', async () => {
      const admin = await connect(await t.adminToken());
      const product = await call(admin, 'create_product', {
        name: 'Admin mug',
        price: 12.5,
        stock: 2,
        category_id: 1,
      });
      const updated = await call(admin, 'update_product', { product_id: product.id, stock: 40 });
      assert.equal(updated.stock, 40);
      const start = t.clock.now();
      const offer = await call(admin, 'create_offer', {
        name: 'Mug week',
        discount_percent: 10,
        start_time: new Date(start.getTime() - 60_000).toISOString(),
        end_time: new Date(start.getTime() + 86_400_000).toISOString(),
      });
      await call(admin, 'apply_offer', { offer_id: offer.id, product_id: product.id });
      const rest = (await t.request({ method: 'GET', url: `/api/products/${product.id}` })).json();
      assert.equal(rest.current_price, 11.25);
      const onOffer = await call(admin, 'list_active_offers');
      assert.ok(onOffer.items.some((p: { id: number }) => p.id === product.id));

      const report = await call(admin, 'inventory_report', { category_id: 1, sort: 'id' });
      const row = report.items.find((r: { product_id: number }) => r.product_id === product.id);
      assert.deepEqual(
        [row.stock, row.sold_last_30_days, row.days_of_cover, row.reorder],
        [40, 0, null, false],
      );

      const shopper = await t.customer();
      const client = await connect(shopper.token);
      await call(client, 'add_to_cart', { product_id: product.id });
      const { order } = await call(client, 'checkout', { idempotency_key: randomUUID() });
      const shipped = await call(admin, 'update_order_status', { order_id: order.id, status: 'shipped' });
      assert.equal(shipped.status, 'shipped');
      const backwards = await callFails(admin, 'update_order_status', {
        order_id: order.id,
        status: 'pending',
      });
      assert.equal(backwards.code, 'invalid_transition');
      assert.equal(
        (await callFails(client, 'cancel_order', { order_id: order.id })).code,
        'invalid_transition',
      );
    });

    it('pays, ships and refunds through tools: checkout takes a payment, admins ship_order and refund_order', async () => {
      const product = await catalog(t).product({ name: 'Paid kettle', price: 40, stock: 3 });
      const shopper = await t.customer();
      const client = await connect(shopper.token);
      const admin = await connect(await t.adminToken());
      await call(client, 'add_to_cart', { product_id: product.id, quantity: 2 });
      assert.equal(
        (await callFails(client, 'checkout', { payment: { provider: 'test', token: 'tok_visa' } })).code,
        'validation_failed',
      );
      const declined = await callFails(client, 'checkout', {
        idempotency_key: randomUUID(),
        payment: { provider: 'test', token: 'tok_declined' },
      });
      assert.equal(declined.code, 'payment_declined');
      assert.equal((await call(client, 'view_cart')).items.length, 1);
      const paid = await call(client, 'checkout', {
        idempotency_key: randomUUID(),
        payment: { provider: 'test', token: 'tok_authorize_only' },
      });
      assert.deepEqual([paid.order.payment_status, paid.total_paid], ['authorized', 80]);
      assert.equal(
        (
          await callFails(client, 'ship_order', {
            order_id: paid.order.id,
            carrier: 'DHL',
            tracking_number: 'M1',
          })
        ).code,
        'forbidden',
      );
      const shipped = await call(admin, 'ship_order', {
        order_id: paid.order.id,
        carrier: 'DHL',
        tracking_number: 'M1',
      });
      assert.deepEqual([shipped.status, shipped.payment_status], ['shipped', 'paid']);
      const key = randomUUID();
      const refund = await call(admin, 'refund_order', {
        order_id: paid.order.id,
        amount: 15,
        reason: 'scratch',
        idempotency_key: key,
      });
      const again = await call(admin, 'refund_order', {
        order_id: paid.order.id,
        amount: 15,
        reason: 'scratch',
        idempotency_key: key,
      });
      assert.deepEqual(
        [refund.amount, refund.replayed, again.id, again.replayed],
        [15, false, refund.id, true],
      );
      const tooMuch = await callFails(admin, 'refund_order', { order_id: paid.order.id, amount: 70 });
      assert.equal(tooMuch.code, 'refund_exceeds_captured');
      const rest = (
        await t.request({ method: 'GET', url: `/api/orders/${paid.order.id}`, token: shopper.token })
      ).json();
      assert.deepEqual(
        [rest.amount_paid, rest.amount_refunded, rest.payment_status],
        [80, 15, 'partially_refunded'],
      );
    });

    it('serves categories and products as resources, and the shopping_assistant prompt', async () => {
      const product = await catalog(t).product({ name: 'Resource rug' });
      const client = await connect();
      assert.deepEqual(
        (await client.listResources()).resources.map((r) => r.uri),
        ['mercato://categories'],
      );
      assert.deepEqual(
        (await client.listResourceTemplates()).resourceTemplates.map((r) => r.uriTemplate),
        ['mercato://products/{id}'],
      );
      const categories = await client.readResource({ uri: 'mercato://categories' });
      const list = JSON.parse(String((categories.contents[0] as { text: string }).text));
      assert.equal(list.length, 20);
      const read = await client.readResource({ uri: `mercato://products/${product.id}` });
      assert.equal(JSON.parse(String((read.contents[0] as { text: string }).text)).name, 'Resource rug');
      await assert.rejects(client.readResource({ uri: 'mercato://products/999999' }), /not found/);

      assert.deepEqual(
        (await client.listPrompts()).prompts.map((p) => p.name),
        ['shopping_assistant'],
      );
      const prompt = await client.getPrompt({ name: 'shopping_assistant', arguments: { goal: 'a gift' } });
      const text = (prompt.messages[0]!.content as { text: string }).text;
      assert.match(text, /idempotency_key/);
      assert.match(text, /a gift/);
    });

    it('refuses a bad bearer token with a 401 problem and answers GET and DELETE with 405', async () => {
      const res = await fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: {
          authorization: 'Bearer not-a-token',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).code, 'unauthorized');
      for (const method of ['GET', 'DELETE']) {
        const other = await fetch(new URL('/mcp', base), {
          method,
          headers: { accept: 'text/event-stream' },
        });
        assert.equal(other.status, 405);
        assert.equal(other.headers.get('allow'), 'POST');
      }
      const ok = await fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'x-request-id': 'mcp-1',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('x-request-id'), 'mcp-1');
      assert.deepEqual(await ok.json(), { jsonrpc: '2.0', id: 1, result: {} });
    });
  });
}
