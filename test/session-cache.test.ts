import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { changeTrackerOf } from '../src/plugins/catalog-cache/index.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { writeBehindTheAppsBack } from './helpers/outside-write.js';

/** Statements run by the app's database while `work` runs. */
async function statementsDuring(t: TestApp, work: () => Promise<unknown>): Promise<number> {
  const tracker = changeTrackerOf(t.db);
  const before = tracker.statements;
  await work();
  return tracker.statements - before;
}

/**
 * `probe`'s status, polled until it is `expected` or `ms` have passed. On PostgreSQL another
 * process's write is heard asynchronously: until then a stale session may pass (and a deleted
 * user's profile read then answers 404).
 */
async function statusWithin(ms: number, expected: number, probe: () => Promise<number>): Promise<number> {
  const deadline = Date.now() + ms;
  let status = await probe();
  while (status !== expected && Date.now() < deadline) {
    await sleep(10);
    status = await probe();
  }
  return status;
}

for (const dialect of testDialects()) {
  describe(`session cache (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { file: true });
    });
    after(() => t.close());

    const login = async (username: string, password: string) =>
      (await t.request({ method: 'POST', url: '/api/login', payload: { username, password } })).json()
        .access_token as string;
    /** A customer promoted by the admin (which ended its sessions), and a token of the new role. */
    const promoted = async (prefix: string) => {
      const user = await t.customer(prefix);
      const promotion = await t.request({
        method: 'PATCH',
        url: `/api/admin/users/${user.id}`,
        token: await t.adminToken(),
        payload: { is_admin: true },
      });
      assert.equal(promotion.statusCode, 200);
      return { ...user, token: await login(user.username, user.password) };
    };
    const me = (token: string) => t.request({ method: 'GET', url: '/api/users/me', token });
    const adminList = async (token: string) =>
      (await t.request({ method: 'GET', url: '/api/admin/users?limit=1', token })).statusCode;

    it('a repeated signed-in request runs no SQL for the session check: /users/me is one statement', async () => {
      const user = await t.customer('hot');
      assert.equal((await me(user.token)).statusCode, 200);
      // PostgreSQL hears of the fixture's own writes asynchronously; let those arrive first.
      await sleep(dialect === 'postgres' ? 100 : 0);
      await me(user.token);
      assert.equal(await statementsDuring(t, () => me(user.token)), 1, 'the profile read only');
    });

    it('a demotion, a password change and a deletion end cached sessions at once in this process', async () => {
      const user = await promoted('cached');
      let token = user.token;
      assert.equal(await adminList(token), 200);
      assert.equal(await adminList(token), 200); // cached
      await t.request({
        method: 'PATCH',
        url: `/api/admin/users/${user.id}`,
        token: await t.adminToken(),
        payload: { is_admin: false },
      });
      assert.equal(await adminList(token), 401);

      token = await login(user.username, user.password);
      assert.equal((await me(token)).statusCode, 200);
      const changed = await t.request({
        method: 'PATCH',
        url: '/api/users/me',
        token,
        payload: { password: 'new-password-2', current_password: user.password },
      });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal((await me(token)).statusCode, 401);

      token = await login(user.username, 'new-password-2');
      assert.equal((await me(token)).statusCode, 200);
      const deleted = await t.request({
        method: 'DELETE',
        url: '/api/users/me',
        token,
        payload: { password: 'new-password-2' },
      });
      assert.equal(deleted.statusCode, 204, deleted.body);
      const refused = await me(token);
      assert.equal(refused.statusCode, 401);
      assert.match(refused.json().detail, /no longer exists/);
    });

    it('sees a demotion or a deletion committed by another process within a second', async () => {
      const { id, token } = await promoted('outside');
      assert.equal(await adminList(token), 200);
      assert.equal(await adminList(token), 200);
      // A demotion by hand that leaves token_version alone: only the role is re-read.
      await writeBehindTheAppsBack(t, `update users set is_admin = 0 where id = ${id}`);
      assert.equal(await statusWithin(1000, 403, () => adminList(token)), 403);
      assert.equal((await me(token)).statusCode, 200);
      await writeBehindTheAppsBack(t, `delete from users where id = ${id}`);
      assert.equal(await statusWithin(1000, 401, async () => (await me(token)).statusCode), 401);
    });
  });
}

if (testDialects().includes('postgres')) {
  describe('session cache while the LISTEN session is down (postgres)', () => {
    let t: TestApp;
    before(async () => {
      // Nothing listens on port 1: the LISTEN session never comes up, as during an outage of it.
      t = await buildTestApp('postgres', {
        env: { DATABASE_DIRECT_URL: 'postgres://postgres@127.0.0.1:1/none' },
      });
    });
    after(() => t.close());

    it('reads the session from the database on every request, so another process’s demotion shows at once', async () => {
      const user = await t.customer('unheard');
      const me = () => t.request({ method: 'GET', url: '/api/users/me', token: user.token });
      assert.equal((await me()).statusCode, 200);
      assert.equal(await statementsDuring(t, me), 2, 'the session check and the profile read');
      assert.equal(await statementsDuring(t, me), 2);
      await writeBehindTheAppsBack(
        t,
        `update users set token_version = token_version + 1 where id = ${user.id}`,
      );
      assert.equal((await me()).statusCode, 401);
    });
  });
}
