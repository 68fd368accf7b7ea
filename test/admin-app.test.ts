import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { createPostgresSchema } from './helpers/app.js';
import {
  type Browser,
  browserUnavailable,
  criticalViolations,
  ensureAdminBuild,
  launchBrowser,
  watchPage,
} from './helpers/browser.js';
import { testDialects } from './helpers/env.js';
import { type RunningServer, startServer } from './helpers/server.js';

const ADMIN_PASSWORD = 'admin-e2e-password-1';
const SCREENSHOT = 'docs/admin-dashboard.png';
const money = (amount: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount);

/** The running app's public API, as the admin app itself calls it. */
function apiOf(base: string) {
  const call = async (path: string, init: { method?: string; token?: string; body?: unknown } = {}) => {
    const response = await fetch(`${base}/api${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    call,
    login: async (username: string, password: string) =>
      (await call('/login', { method: 'POST', body: { username, password } })).access_token as string,
  };
}

const unavailable = browserUnavailable();
const SKIP_REASON = unavailable && `skipped: ${unavailable}`;

for (const dialect of testDialects()) {
  describe(`admin app in a browser (${dialect})`, { skip: SKIP_REASON }, () => {
    let server: RunningServer;
    let browser: Browser;
    let page: Page;
    let problems: string[];
    let dropSchema = async () => {};
    let dir: string;
    let admin: string;
    const ids: Record<string, number> = {};
    let api: ReturnType<typeof apiOf>;

    /** A customer's checkout of `quantity` of a product: paid by card where payments exist. */
    const placeOrder = async (productId: number, quantity: number) => {
      const name = `buyer${Object.keys(ids).length}${Date.now() % 100000}`;
      await api.call('/register', { method: 'POST', body: { username: name, password: 'buyer-password-1' } });
      const token = await api.login(name, 'buyer-password-1');
      await api.call('/cart', { method: 'POST', token, body: { product_id: productId, quantity } });
      const payment = { payment: { provider: 'test', token: 'tok_visa' } };
      const result = await api.call('/checkout', {
        method: 'POST',
        token,
        body: { shipping_address: '1 Loop Road', ...payment },
      });
      return result.order.id as number;
    };

    before(async () => {
      ensureAdminBuild();
      dir = mkdtempSync(join(tmpdir(), 'mercato-e2e-'));
      let databaseUrl = `sqlite:${join(dir, 'e2e.db')}`;
      if (dialect === 'postgres') {
        const schema = await createPostgresSchema();
        databaseUrl = schema.url;
        dropSchema = schema.drop;
      }
      server = await startServer({
        DATABASE_URL: databaseUrl,
        UPLOAD_DIR: join(dir, 'uploads'),
        ADMIN_PASSWORD,
        RATE_LIMIT_MAX: '100000',
        AUTH_RATE_LIMIT_MAX: '1000',
        WEBHOOK_ALLOW_PRIVATE: 'true',
      });
      api = apiOf(server.url);
      admin = await api.login('admin', ADMIN_PASSWORD);
      const categories = await api.call('/categories');
      ids.category = categories[0].id;
      ids.lamp = (
        await api.call('/products', {
          method: 'POST',
          token: admin,
          body: { name: 'Desk Lamp', price: 40, stock: 30, category_id: ids.category },
        })
      ).id;
      ids.mug = (
        await api.call('/products', {
          method: 'POST',
          token: admin,
          body: { name: 'Blue Mug', price: 12.5, stock: 3, category_id: ids.category },
        })
      ).id;
      ids.toShip = await placeOrder(ids.lamp!, 2);
      ids.toRefund = await placeOrder(ids.mug!, 2);
      await placeOrder(ids.lamp!, 1);

      browser = await launchBrowser();
      page = await browser.context.newPage();
      page.setDefaultTimeout(10_000);
      problems = watchPage(page, server.url);
      page.on('dialog', (dialog) => dialog.accept());
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
      await dropSchema();
      rmSync(dir, { recursive: true, force: true });
    });

    it('signs in with the admin password', async () => {
      await page.goto(`${server.url}/admin/`);
      await page.waitForURL('**/admin/login');
      await page.getByLabel('Username or email').fill('admin');
      await page.getByRole('textbox', { name: 'Password' }).fill('wrong-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Could not sign in' }).waitFor();
      // The 401 above is the API doing its job; the browser logs it as a console error.
      problems.length = 0;
      await page.getByRole('textbox', { name: 'Password' }).fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    });

    it('shows the revenue of the sales report, first render timed', async () => {
      // A reload starts from the stored refresh token: rotation, then the dashboard's queries.
      await page.goto(`${server.url}/admin/`);
      const revenue = page.getByTestId('kpi-revenue');
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="kpi-revenue"]')?.textContent?.includes('$'),
      );
      const firstRender = await page.evaluate(() => performance.now());
      console.log(
        `# dashboard first render (${dialect}): ${Math.round(firstRender)} ms from navigation start`,
      );
      const report = await api.call('/admin/reports/sales', { token: admin });
      assert.equal(await revenue.textContent(), money(report.totals.revenue));
      assert.equal(await page.getByTestId('kpi-orders').textContent(), String(report.totals.orders));
      assert.equal(report.totals.orders, 3);
      assert.equal(await page.getByTestId('kpi-aov').textContent(), money(report.totals.average_order_value));
      await page.getByRole('link', { name: 'Desk Lamp' }).first().waitFor();
      if (dialect === 'sqlite') {
        mkdirSync('docs', { recursive: true });
        await page.locator('.recharts-surface').first().waitFor();
        await page.screenshot({ path: SCREENSHOT, fullPage: false });
      }
    });

    it('ships an order with a tracking number', async (_t) => {
      await page.goto(`${server.url}/admin/orders/${ids.toShip}`);
      await page.getByLabel('Carrier').fill('DHL');
      await page.getByLabel('Tracking number').fill('JD0146000012345');
      await page.getByRole('button', { name: 'Ship order' }).click();
      await page.getByText('JD0146000012345').waitFor();
      const order = await api.call(`/orders/${ids.toShip}`, { token: admin });
      assert.equal(order.status, 'shipped');
      assert.equal(order.shipments[0].tracking_number, 'JD0146000012345');
      await page.getByRole('button', { name: 'Mark delivered' }).waitFor();
    });

    it('refunds part of a paid order', async (_t) => {
      await page.goto(`${server.url}/admin/orders/${ids.toRefund}`);
      await page.getByLabel('Refund amount').fill('5.25');
      await page.getByLabel('Reason').fill('Chipped rim');
      await page.getByRole('button', { name: 'Refund', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Refund recorded' }).waitFor();
      const order = await api.call(`/orders/${ids.toRefund}`, { token: admin });
      assert.equal(order.amount_refunded, 5.25);
      assert.equal(order.payment_status, 'partially_refunded');
    });

    it('creates a product with two variants and an image', async (_t) => {
      await page.goto(`${server.url}/admin/products/new`);
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Trail Jacket');
      await page.getByRole('textbox', { name: 'Price', exact: true }).fill('89.9');
      await page.getByRole('combobox', { name: 'Category' }).click();
      await page.getByRole('option').first().click();
      await page.getByRole('button', { name: 'Add option' }).click();
      await page.getByLabel('Option 1 name').fill('Color');
      await page.getByLabel('Option 1 values').fill('Red, Blue');
      await page.getByLabel('SKU of Red').fill('JKT-RED');
      await page.getByLabel('Stock of Red').fill('4');
      await page.getByLabel('SKU of Blue').fill('JKT-BLUE');
      await page.getByLabel('Price of Blue').fill('94.9');
      await page.getByLabel('Stock of Blue').fill('2');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.getByRole('heading', { name: 'Trail Jacket' }).waitFor();
      const id = Number(page.url().split('/').pop());
      const png = join(dir, 'jacket.png');
      writeFileSync(
        png,
        await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } })
          .png()
          .toBuffer(),
      );
      await page.locator('input[type=file]').first().setInputFiles(png);
      await page.getByRole('img', { name: 'Main image of Trail Jacket' }).waitFor();
      const product = await api.call(`/products/${id}`);
      assert.deepEqual(
        product.variants.map((v: { sku: string; price: number; stock: number }) => [v.sku, v.price, v.stock]),
        [
          ['JKT-RED', 89.9, 4],
          ['JKT-BLUE', 94.9, 2],
        ],
      );
      assert.match(product.image_url, /^\/media\//);
      ids.jacket = id;
    });

    it('edits a price (of a product, and of a variant where variants exist)', async () => {
      await page.goto(`${server.url}/admin/products/${ids.mug}`);
      const price = page.getByLabel('Price', { exact: true });
      await price.fill('13.75');
      await page.getByRole('button', { name: 'Save details' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.equal((await api.call(`/products/${ids.mug}`)).price, 13.75);
      if (!ids.jacket) return; // variants not served: the product above is the variant-free case
      await page.goto(`${server.url}/admin/products/${ids.jacket}`);
      await page.getByLabel('Price of Blue').fill('99.5');
      await page.getByRole('button', { name: 'Save Blue' }).click();
      await page.getByRole('status').filter({ hasText: 'Blue saved.' }).waitFor();
      const blue = (await api.call(`/products/${ids.jacket}`)).variants.find(
        (v: { sku: string }) => v.sku === 'JKT-BLUE',
      );
      assert.equal(blue.price, 99.5);
    });

    it('creates a webhook endpoint and shows its secret once', async (_t) => {
      await page.goto(`${server.url}/admin/webhooks`);
      await page.getByLabel('Endpoint URL').fill('https://hooks.example.com/mercato');
      await page.getByLabel('Events').fill('order.paid, order.shipped');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = await page.getByTestId('webhook-secret').textContent();
      assert.match(secret ?? '', /^whsec_[A-Za-z0-9+/=]+$/);
      await page.getByRole('link', { name: 'https://hooks.example.com/mercato' }).click();
      await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
      assert.equal(await page.getByText(secret!).count(), 0, 'the secret is not shown again');
    });

    it('has no critical accessibility violation on any main page', async (_t) => {
      const pages = [
        '/',
        '/orders',
        '/products',
        `/products/${ids.mug}`,
        '/categories',
        '/offers',
        '/customers',
        `/orders/${ids.toShip}`,
        '/webhooks',
      ];
      const found: string[] = [];
      for (const path of pages) {
        await page.goto(`${server.url}/admin${path}`);
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        await page.waitForLoadState('networkidle');
        for (const violation of await criticalViolations(page)) found.push(`${path}: ${violation}`);
      }
      assert.deepEqual(found, []);
    });

    it('works at 390 px wide', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const path of ['/', '/orders', `/products/${ids.mug}`]) {
        await page.goto(`${server.url}/admin${path}`);
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 390px`);
      }
      // The navigation folds behind a burger, reachable by keyboard.
      await page.getByRole('button', { name: 'Toggle navigation' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('link', { name: 'Customers' }).click();
      await page.getByRole('heading', { name: 'Customers' }).waitFor();
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    it('made no console error and no request to another host', () => {
      assert.deepEqual(problems, []);
    });
  });
}
