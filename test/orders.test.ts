import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { addToCart, checkout, insertProduct, insertSerializedProduct, stockOf } from './helpers/orders.js';

for (const dialect of testDialects()) {
  describe(`orders (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    /** A customer's order of `quantity` units of a fresh product (stock 10). */
    async function placeOrder(token: string, quantity = 1) {
      const productId = await insertProduct(t, { stock: 10, price_cents: 500 });
      await addToCart(t, token, productId, quantity);
      const res = await checkout(t, token);
      assert.equal(res.statusCode, 201, res.body);
      return { productId, order: res.json().order };
    }
    const setStatus = async (id: number, status: string, token?: string) =>
      t.request({
        method: 'PATCH',
        url: `/api/orders/${id}/status`,
        token: token ?? (await t.adminToken()),
        payload: { status },
      });
    const cancel = (id: number, token: string) =>
      t.request({ method: 'POST', url: `/api/orders/${id}/cancel`, token });

    it('lists your own orders, newest first, paginated', async () => {
      const { token } = await t.customer();
      const other = await t.customer();
      const placed = [];
      for (let i = 0; i < 3; i++) {
        placed.push((await placeOrder(token)).order.id);
        t.clock.advance(1000);
      }
      await placeOrder(other.token);
      const res = await t.request({ method: 'GET', url: '/api/orders?limit=2', token });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-total-count'], '3');
      assert.deepEqual(
        res.json().map((o: { id: number }) => o.id),
        [placed[2], placed[1]],
      );
      assert.match(String(res.headers.link), /offset=2.*rel="next"/);
      const rest = await t.request({ method: 'GET', url: '/api/orders?limit=2&offset=2', token });
      assert.deepEqual(
        rest.json().map((o: { id: number }) => o.id),
        [placed[0]],
      );
      assert.equal((await t.request({ method: 'GET', url: '/api/orders' })).statusCode, 401);
    });

    it('shows an order to its owner and to admins; another user gets 404 (read and cancel)', async () => {
      const owner = await t.customer();
      const stranger = await t.customer();
      const { productId, order } = await placeOrder(owner.token, 2);
      const mine = await t.request({ method: 'GET', url: `/api/orders/${order.id}`, token: owner.token });
      assert.equal(mine.statusCode, 200);
      assert.deepEqual(mine.json(), order);
      const theirs = await t.request({
        method: 'GET',
        url: `/api/orders/${order.id}`,
        token: stranger.token,
      });
      assert.equal(theirs.statusCode, 404);
      assert.equal(theirs.json().code, 'not_found');
      const missing = await t.request({ method: 'GET', url: '/api/orders/999999', token: owner.token });
      assert.equal(missing.statusCode, 404);
      assert.equal((await cancel(order.id, stranger.token)).statusCode, 404);
      assert.equal(await stockOf(t.db, productId), 8);
      const admin = await t.request({
        method: 'GET',
        url: `/api/orders/${order.id}`,
        token: await t.adminToken(),
      });
      assert.equal(admin.statusCode, 200);
      assert.equal(admin.json().id, order.id);
    });

    it('cancels a pending order for its owner, returning the stock and stamping cancelled_at', async () => {
      const { token } = await t.customer();
      const { productId, order } = await placeOrder(token, 3);
      assert.equal(await stockOf(t.db, productId), 7);
      t.clock.advance(5000);
      const res = await cancel(order.id, token);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().status, 'cancelled');
      assert.equal(res.json().cancelled_at, t.clock.now().toISOString());
      assert.equal(await stockOf(t.db, productId), 10);
      const again = await cancel(order.id, token);
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'invalid_transition');
      assert.equal(await stockOf(t.db, productId), 10);
    });

    it('returns serialized units to the shelf on cancellation', async () => {
      const { token } = await t.customer();
      const { id } = await insertSerializedProduct(t, 2);
      await addToCart(t, token, id, 2);
      const order = (await checkout(t, token)).json().order;
      assert.equal(await stockOf(t.db, id), 0);
      assert.equal((await cancel(order.id, token)).statusCode, 200);
      assert.equal(await stockOf(t.db, id), 2);
      const units = await t.db.selectFrom('units').selectAll().where('product_id', '=', id).execute();
      for (const unit of units) {
        assert.equal(unit.status, 'available');
        assert.equal(unit.order_item_id, null);
        assert.equal(unit.sold_at, null);
      }
      // Back on sale: another customer can buy the same units.
      const other = await t.customer();
      await addToCart(t, other.token, id, 2);
      assert.equal((await checkout(t, other.token)).statusCode, 201);
    });

    it('moves orders pending → shipped → delivered for admins, stamping each step', async () => {
      const { token } = await t.customer();
      const { order } = await placeOrder(token);
      t.clock.advance(60_000);
      const shipped = await setStatus(order.id, 'shipped');
      assert.equal(shipped.statusCode, 200);
      assert.equal(shipped.json().status, 'shipped');
      assert.equal(shipped.json().shipped_at, t.clock.now().toISOString());
      t.clock.advance(60_000);
      const delivered = await setStatus(order.id, 'delivered');
      assert.equal(delivered.statusCode, 200);
      assert.equal(delivered.json().delivered_at, t.clock.now().toISOString());
      assert.equal(delivered.json().shipped_at, shipped.json().shipped_at);
      assert.equal(delivered.json().cancelled_at, null);
    });

    it('refuses every transition outside the table with 409 invalid_transition', async () => {
      const { token } = await t.customer();
      const { productId, order } = await placeOrder(token, 2);
      for (const status of ['pending', 'delivered']) {
        const res = await setStatus(order.id, status);
        assert.equal(res.statusCode, 409, status);
        assert.equal(res.json().code, 'invalid_transition');
      }
      assert.equal((await setStatus(order.id, 'shipped')).statusCode, 200);
      for (const status of ['pending', 'shipped', 'cancelled']) {
        assert.equal((await setStatus(order.id, status)).statusCode, 409, `shipped → ${status}`);
      }
      // The owner can no longer cancel a shipped order, and no stock comes back.
      assert.equal((await cancel(order.id, token)).statusCode, 409);
      assert.equal(await stockOf(t.db, productId), 8);
      assert.equal((await setStatus(order.id, 'delivered')).statusCode, 200);
      for (const status of ['pending', 'shipped', 'cancelled', 'delivered']) {
        assert.equal((await setStatus(order.id, status)).statusCode, 409, `delivered → ${status}`);
      }
      assert.equal((await setStatus(order.id, 'lost')).statusCode, 400);
      assert.equal((await setStatus(999_999, 'shipped')).statusCode, 404);
    });

    it('lets an admin cancel any pending order (stock returns); customers cannot set a status', async () => {
      const { token } = await t.customer();
      const { productId, order } = await placeOrder(token, 4);
      assert.equal((await setStatus(order.id, 'shipped', token)).statusCode, 403);
      const res = await setStatus(order.id, 'cancelled');
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().status, 'cancelled');
      assert.equal(await stockOf(t.db, productId), 10);
      assert.equal((await setStatus(order.id, 'shipped')).statusCode, 409);
    });

    it('lets a customer only cancel their own order, in the service that REST and MCP share', async () => {
      const owner = await t.customer();
      const { order } = await placeOrder(owner.token);
      const { orders } = t.app.services;
      const customer = { id: owner.id, isAdmin: false };
      await assert.rejects(orders.changeStatus(customer, order.id, 'shipped'), {
        status: 403,
        code: 'forbidden',
      });
      await assert.rejects(orders.changeStatus(customer, order.id, 'delivered'), {
        status: 409,
        code: 'invalid_transition',
      });
      // Nothing moved: over HTTP the order is still pending.
      const seen = await t.request({ method: 'GET', url: `/api/orders/${order.id}`, token: owner.token });
      assert.equal(seen.json().status, 'pending');
      assert.equal(seen.json().shipped_at, null);

      assert.equal((await setStatus(order.id, 'shipped')).statusCode, 200);
      await assert.rejects(orders.changeStatus(customer, order.id, 'delivered'), {
        status: 403,
        code: 'forbidden',
      });
      assert.equal((await setStatus(order.id, 'delivered', owner.token)).statusCode, 403);
      assert.equal((await cancel(order.id, owner.token)).statusCode, 409);
    });

    it('lists all orders for admins, filtered by status and user', async () => {
      const alice = await t.customer();
      const bob = await t.customer();
      const a1 = (await placeOrder(alice.token)).order;
      const a2 = (await placeOrder(alice.token)).order;
      const b1 = (await placeOrder(bob.token)).order;
      assert.equal((await setStatus(a2.id, 'shipped')).statusCode, 200);
      const admin = await t.adminToken();
      const byUser = await t.request({
        method: 'GET',
        url: `/api/admin/orders?user_id=${alice.id}`,
        token: admin,
      });
      assert.equal(byUser.statusCode, 200);
      assert.deepEqual(
        byUser.json().map((o: { id: number }) => o.id),
        [a2.id, a1.id],
      );
      const shipped = await t.request({
        method: 'GET',
        url: `/api/admin/orders?user_id=${alice.id}&status=shipped`,
        token: admin,
      });
      assert.deepEqual(
        shipped.json().map((o: { id: number }) => o.id),
        [a2.id],
      );
      const all = await t.request({ method: 'GET', url: '/api/admin/orders?limit=100', token: admin });
      assert.ok(all.json().some((o: { id: number }) => o.id === b1.id));
      assert.equal(Number(all.headers['x-total-count']), all.json().length);
      assert.equal(
        (await t.request({ method: 'GET', url: '/api/admin/orders', token: bob.token })).statusCode,
        403,
      );
      assert.equal(
        (await t.request({ method: 'GET', url: '/api/admin/orders?status=lost', token: admin })).statusCode,
        400,
      );
    });

    it('keeps the orders of a deleted account, detached from the person', async () => {
      const user = await t.customer();
      const { order } = await placeOrder(user.token, 2);
      await addToCart(t, user.token, await insertProduct(t));
      const deleted = await t.request({
        method: 'DELETE',
        url: '/api/users/me',
        token: user.token,
        payload: { password: user.password },
      });
      assert.equal(deleted.statusCode, 204);
      const res = await t.request({
        method: 'GET',
        url: `/api/orders/${order.id}`,
        token: await t.adminToken(),
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { ...order, user_id: null });
      const carts = await t.db.selectFrom('cart_items').select('id').where('user_id', '=', user.id).execute();
      assert.deepEqual(carts, []);
    });
  });

  it(`estimates delivery DELIVERY_DAYS after the order (${dialect})`, async () => {
    const t = await buildTestApp(dialect, { env: { DELIVERY_DAYS: '3' } });
    try {
      const { token } = await t.customer();
      await addToCart(t, token, await insertProduct(t));
      const order = (await checkout(t, token)).json().order;
      assert.equal(Date.parse(order.estimated_delivery_date) - Date.parse(order.created_at), 3 * 86_400_000);
    } finally {
      await t.close();
    }
  });
}
