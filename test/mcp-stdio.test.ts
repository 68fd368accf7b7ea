import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ADMIN_PASSWORD, buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';
import { ADMIN_TOOLS, CATALOG_TOOLS, call, callFails, toolNames, USER_TOOLS } from './helpers/mcp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * `npm run mcp` as a client would start it: a separate process on the database the test app uses
 * (a SQLite file, or the test's PostgreSQL schema), sharing the JWT secret so the app's tokens work.
 * --silent keeps npm's own banner off stdout, which carries the protocol.
 */
function spawnServer(databaseUrl: string, jwtSecret: string, token?: string) {
  let stderr = '';
  const transport = new StdioClientTransport({
    command: 'npm',
    args: ['run', '--silent', 'mcp'],
    cwd: ROOT,
    stderr: 'pipe',
    env: {
      DATABASE_URL: databaseUrl,
      JWT_SECRET: jwtSecret,
      ADMIN_PASSWORD,
      NODE_ENV: 'test',
      ...(token ? { MERCATO_TOKEN: token } : {}),
    },
  });
  transport.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return { transport, stderr: () => stderr };
}

for (const dialect of testDialects()) {
  describe(`MCP over stdio: npm run mcp (${dialect})`, () => {
    const jwtSecret = randomBytes(32).toString('hex');
    let t: TestApp;
    const clients: Client[] = [];
    const connect = async (token?: string) => {
      const client = new Client({ name: 'mercato-stdio-test', version: '1.0.0' });
      const server = spawnServer(t.databaseUrl, jwtSecret, token);
      await client.connect(server.transport).catch((error) => {
        throw new Error(`npm run mcp failed: ${error.message}\n${server.stderr()}`);
      });
      clients.push(client);
      return client;
    };

    before(async () => {
      t = await buildTestApp(dialect, { file: true, env: { JWT_SECRET: jwtSecret } });
    });
    after(async () => {
      for (const client of clients) await client.close();
      await t.close();
    });

    it('lists tools by role, from the token in MERCATO_TOKEN', async () => {
      const customerToken = (await t.customer()).token;
      const adminToken = await t.adminToken();
      assert.deepEqual(await toolNames(await connect()), CATALOG_TOOLS);
      assert.deepEqual(await toolNames(await connect(customerToken)), USER_TOOLS);
      assert.deepEqual(await toolNames(await connect(adminToken)), ADMIN_TOOLS);
    });

    it('buys through tools in another process; REST sees the order; a key used twice buys once', async () => {
      const product = await catalog(t).product({ name: 'Stdio teapot', price: 19.99, stock: 4 });
      const shopper = await t.customer();
      const client = await connect(shopper.token);

      const found = await call(client, 'search_products', { q: 'teapot' });
      assert.deepEqual(
        found.items.map((p: { id: number }) => p.id),
        [product.id],
      );
      await call(client, 'add_to_cart', { product_id: product.id, quantity: 3 });
      assert.equal((await call(client, 'view_cart')).grand_total, 59.97);
      const key = randomUUID();
      const first = await call(client, 'checkout', { idempotency_key: key });
      const again = await call(client, 'checkout', { idempotency_key: key });
      assert.equal(again.order.id, first.order.id);
      assert.equal(again.replayed, true);
      const order = await call(client, 'get_order', { order_id: first.order.id });

      const rest = await t.request({ method: 'GET', url: '/api/orders', token: shopper.token });
      assert.equal(rest.headers['x-total-count'], '1');
      assert.equal(rest.json()[0].id, order.id);
      assert.equal(rest.json()[0].total, order.total);
      assert.equal(order.total, 59.97);
      assert.equal((await t.request({ method: 'GET', url: `/api/products/${product.id}` })).json().stock, 1);
    });

    it('refuses admin tools to a customer and bad arguments, changing nothing', async () => {
      const shopper = await t.customer();
      const client = await connect(shopper.token);
      const count = async () =>
        (await t.request({ method: 'GET', url: '/api/products' })).headers['x-total-count'];
      const before = await count();
      const denied = await callFails(client, 'create_product', { name: 'Nope', price: 1, category_id: 1 });
      assert.equal(denied.code, 'forbidden');
      const bad = await callFails(client, 'add_to_cart', { product_id: 'one' });
      assert.equal(bad.code, 'validation_failed');
      assert.equal(bad.errors?.[0]?.path, '/product_id');
      assert.equal(await count(), before);
      assert.deepEqual(
        (await t.request({ method: 'GET', url: '/api/cart', token: shopper.token })).json().items,
        [],
      );
    });

    it('checks the token on every call: a session ended over REST stops the tools at once', async () => {
      const shopper = await t.customer();
      const client = await connect(shopper.token);
      await call(client, 'view_cart');
      const changed = await t.request({
        method: 'PATCH',
        url: '/api/users/me',
        token: shopper.token,
        payload: { password: 'another-password-1', current_password: shopper.password },
      });
      assert.equal(changed.statusCode, 200);
      assert.equal((await callFails(client, 'view_cart')).code, 'unauthorized');
    });

    it('refuses to start with a token that is not valid', async () => {
      const { transport, stderr } = spawnServer(t.databaseUrl, jwtSecret, 'not-a-token');
      const client = new Client({ name: 'mercato-stdio-test', version: '1.0.0' });
      await assert.rejects(client.connect(transport));
      await client.close();
      assert.match(stderr(), /MERCATO_TOKEN was refused/);
    });
  });
}
