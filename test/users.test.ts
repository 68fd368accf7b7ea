import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';

for (const dialect of testDialects()) {
  describe(`users (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    it('GET /api/users/me returns the profile; without a token it is a 401 problem', async () => {
      const user = await t.customer('me');
      const res = await t.request({ method: 'GET', url: '/api/users/me', token: user.token });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(Object.keys(res.json()).sort(), [
        'address',
        'created_at',
        'email',
        'first_name',
        'id',
        'is_admin',
        'last_name',
        'profile_image_url',
        'username',
      ]);
      const anonymous = await t.request({ method: 'GET', url: '/api/users/me' });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json().code, 'unauthorized');
      const garbage = await t.request({ method: 'GET', url: '/api/users/me', token: 'not.a.jwt' });
      assert.equal(garbage.statusCode, 401);
    });

    it('PATCH /api/users/me changes profile fields and refuses unknown ones', async () => {
      const user = await t.customer('patch');
      const res = await t.request({
        method: 'PATCH',
        url: '/api/users/me',
        token: user.token,
        payload: { first_name: 'Ada', address: '1 Loop Road', email: `${user.username}@example.com` },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().first_name, 'Ada');
      assert.equal(res.json().address, '1 Loop Road');
      for (const payload of [{ is_admin: true }, { username: 'renamed' }, { id: 1 }]) {
        const refused = await t.request({
          method: 'PATCH',
          url: '/api/users/me',
          token: user.token,
          payload,
        });
        assert.equal(refused.statusCode, 400);
      }
      const me = await t.request({ method: 'GET', url: '/api/users/me', token: user.token });
      assert.equal(me.json().is_admin, false);
      assert.equal(me.json().username, user.username);
    });

    it('a password change needs the current password and revokes every session', async () => {
      const user = await t.customer('pw');
      const login = await t.request({
        method: 'POST',
        url: '/api/login',
        payload: { username: user.username, password: user.password },
      });
      const { refresh_token } = login.json();
      const wrong = await t.request({
        method: 'PATCH',
        url: '/api/users/me',
        token: user.token,
        payload: { password: 'new-password-1', current_password: 'nope-nope' },
      });
      assert.equal(wrong.statusCode, 400);
      const ok = await t.request({
        method: 'PATCH',
        url: '/api/users/me',
        token: user.token,
        payload: { password: 'new-password-1', current_password: user.password },
      });
      assert.equal(ok.statusCode, 200);
      assert.equal(
        (await t.request({ method: 'GET', url: '/api/users/me', token: user.token })).statusCode,
        401,
      );
      assert.equal(
        (await t.request({ method: 'POST', url: '/api/refresh', token: refresh_token })).statusCode,
        401,
      );
      const old = await t.request({
        method: 'POST',
        url: '/api/login',
        payload: { username: user.username, password: user.password },
      });
      assert.equal(old.statusCode, 401);
      const fresh = await t.request({
        method: 'POST',
        url: '/api/login',
        payload: { username: user.username, password: 'new-password-1' },
      });
      assert.equal(fresh.statusCode, 200);
    });

    it('DELETE /api/users/me needs the password; afterwards the access token is refused', async () => {
      const user = await t.customer('gone');
      const wrong = await t.request({
        method: 'DELETE',
        url: '/api/users/me',
        token: user.token,
        payload: { password: 'wrong-one' },
      });
      assert.equal(wrong.statusCode, 400);
      const res = await t.request({
        method: 'DELETE',
        url: '/api/users/me',
        token: user.token,
        payload: { password: user.password },
      });
      assert.equal(res.statusCode, 204);
      const after = await t.request({ method: 'GET', url: '/api/users/me', token: user.token });
      assert.equal(after.statusCode, 401);
      const login = await t.request({
        method: 'POST',
        url: '/api/login',
        payload: { username: user.username, password: user.password },
      });
      assert.equal(login.statusCode, 401);
    });

    it('admin routes are 401 anonymous and 403 for customers', async () => {
      const user = await t.customer('nosy');
      for (const [method, url, payload] of [
        ['GET', '/api/admin/users', undefined],
        ['PATCH', `/api/admin/users/${user.id}`, { is_admin: true }],
      ] as const) {
        assert.equal((await t.request({ method, url, payload })).statusCode, 401);
        const res = await t.request({ method, url, payload, token: user.token });
        assert.equal(res.statusCode, 403);
        assert.equal(res.json().code, 'forbidden');
      }
    });

    it('admins list users with q, limit and offset, and X-Total-Count and Link headers', async () => {
      const admin = await t.adminToken();
      for (let i = 0; i < 3; i++) await t.customer('listme');
      const res = await t.request({ method: 'GET', url: '/api/admin/users?q=LISTME&limit=2', token: admin });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().length, 2);
      assert.equal(res.headers['x-total-count'], '3');
      assert.match(String(res.headers.link), /offset=2>; rel="next"/);
      const page2 = await t.request({
        method: 'GET',
        url: '/api/admin/users?q=listme&limit=2&offset=2',
        token: admin,
      });
      assert.equal(page2.json().length, 1);
      assert.match(String(page2.headers.link), /rel="prev"/);
      for (const bad of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc']) {
        assert.equal(
          (await t.request({ method: 'GET', url: `/api/admin/users?${bad}`, token: admin })).statusCode,
          400,
          bad,
        );
      }
    });

    it('promotes and demotes; the promoted user acts as admin at once; the last admin cannot be demoted', async () => {
      const admin = await t.adminToken();
      const user = await t.customer('promoted');
      const promote = await t.request({
        method: 'PATCH',
        url: `/api/admin/users/${user.id}`,
        token: admin,
        payload: { is_admin: true },
      });
      assert.equal(promote.statusCode, 200);
      assert.equal(promote.json().is_admin, true);
      // The role change ended the user's old session.
      assert.equal(
        (await t.request({ method: 'GET', url: '/api/users/me', token: user.token })).statusCode,
        401,
      );
      const login = await t.request({
        method: 'POST',
        url: '/api/login',
        payload: { username: user.username, password: user.password },
      });
      const newAdmin = login.json().access_token;
      assert.equal(
        (await t.request({ method: 'GET', url: '/api/admin/users', token: newAdmin })).statusCode,
        200,
      );

      const me = await t.request({ method: 'GET', url: '/api/users/me', token: admin });
      const demoteFirst = await t.request({
        method: 'PATCH',
        url: `/api/admin/users/${me.json().id}`,
        token: newAdmin,
        payload: { is_admin: false },
      });
      assert.equal(demoteFirst.statusCode, 200);
      const demoteLast = await t.request({
        method: 'PATCH',
        url: `/api/admin/users/${user.id}`,
        token: newAdmin,
        payload: { is_admin: false },
      });
      assert.equal(demoteLast.statusCode, 409);
      assert.equal(demoteLast.json().code, 'conflict');
      assert.equal(
        (
          await t.request({
            method: 'PATCH',
            url: '/api/admin/users/999999',
            token: newAdmin,
            payload: { is_admin: true },
          })
        ).statusCode,
        404,
      );
      // Restore the seeded admin for other tests.
      await t.request({
        method: 'PATCH',
        url: `/api/admin/users/${me.json().id}`,
        token: newAdmin,
        payload: { is_admin: true },
      });
    });
  });
}
