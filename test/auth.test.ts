import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';

for (const dialect of testDialects()) {
  describe(`auth (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    const register = (payload: Record<string, unknown>) =>
      t.request({ method: 'POST', url: '/api/register', payload });
    const login = (payload: Record<string, unknown>) =>
      t.request({ method: 'POST', url: '/api/login', payload });

    it('registers a customer and answers 201 {message, user} without secrets', async () => {
      const res = await register({
        username: 'Alice.B',
        password: 'password-1',
        email: 'Alice@Example.com',
        first_name: 'Alice',
      });
      assert.equal(res.statusCode, 201);
      const body = res.json();
      assert.equal(body.message, 'User created');
      assert.equal(body.user.username, 'Alice.B');
      assert.equal(body.user.is_admin, false);
      assert.equal(body.user.password, undefined);
      assert.equal(body.user.password_hash, undefined);
      assert.match(body.user.created_at, /Z$/);
    });

    it('refuses is_admin, id or any unknown field at registration with 400', async () => {
      for (const extra of [{ is_admin: true }, { id: 99 }, { profile_image: '../../x' }]) {
        const res = await register({
          username: `mallory${Object.keys(extra)[0]}`,
          password: 'password-1',
          ...extra,
        });
        assert.equal(res.statusCode, 400);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.json().code, 'validation_failed');
        assert.equal(res.json().errors[0].path, `/${Object.keys(extra)[0]}`);
      }
      const list = await t.request({
        method: 'GET',
        url: '/api/admin/users?q=mallory',
        token: await t.adminToken(),
      });
      assert.deepEqual(list.json(), []);
    });

    it('validates username, password and email', async () => {
      for (const payload of [
        { username: 'ab', password: 'password-1' },
        { username: 'has space', password: 'password-1' },
        { username: 'shortpw', password: 'short' },
        { username: 'bademail', password: 'password-1', email: 'not-an-email' },
        { password: 'password-1' },
      ]) {
        assert.equal((await register(payload)).statusCode, 400, JSON.stringify(payload));
      }
    });

    it('refuses a duplicate username or email, ignoring case, with 409', async () => {
      assert.equal((await register({ username: 'ALICE.b', password: 'password-1' })).statusCode, 409);
      assert.equal(
        (await register({ username: 'other1', password: 'password-1', email: 'alice@EXAMPLE.com' }))
          .statusCode,
        409,
      );
    });

    it('logs in by username or email and issues a bearer pair', async () => {
      const res = await login({ username: 'alice.b', password: 'password-1' });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 900);
      assert.ok(body.access_token && body.refresh_token);
      assert.equal((await login({ email: 'alice@example.com', password: 'password-1' })).statusCode, 200);
    });

    it('gives the same 401 for a wrong password and an unknown user', async () => {
      const wrong = await login({ username: 'alice.b', password: 'wrong-password' });
      const unknown = await login({ username: 'nobody-here', password: 'wrong-password' });
      assert.equal(wrong.statusCode, 401);
      assert.equal(unknown.statusCode, 401);
      assert.deepEqual(wrong.json(), unknown.json());
    });

    it('never accepts a refresh token as an access token, nor the reverse', async () => {
      const { access_token, refresh_token } = (
        await login({ username: 'alice.b', password: 'password-1' })
      ).json();
      const me = await t.request({ method: 'GET', url: '/api/users/me', token: refresh_token });
      assert.equal(me.statusCode, 401);
      const refresh = await t.request({ method: 'POST', url: '/api/refresh', token: access_token });
      assert.equal(refresh.statusCode, 401);
    });

    it('rotates refresh tokens; reuse of a spent one revokes the family', async () => {
      const first = (await login({ username: 'alice.b', password: 'password-1' })).json();
      const second = await t.request({ method: 'POST', url: '/api/refresh', token: first.refresh_token });
      assert.equal(second.statusCode, 200);
      const rotated = second.json();
      assert.notEqual(rotated.refresh_token, first.refresh_token);
      const me = await t.request({ method: 'GET', url: '/api/users/me', token: rotated.access_token });
      assert.equal(me.statusCode, 200);

      const replay = await t.request({
        method: 'POST',
        url: '/api/refresh',
        payload: { refresh_token: first.refresh_token },
      });
      assert.equal(replay.statusCode, 401);
      // The thief's replay revoked the family: the legitimate newest token is dead too.
      const after = await t.request({ method: 'POST', url: '/api/refresh', token: rotated.refresh_token });
      assert.equal(after.statusCode, 401);
    });

    it('logout revokes the refresh family with 204', async () => {
      const pair = (await login({ username: 'alice.b', password: 'password-1' })).json();
      const out = await t.request({ method: 'POST', url: '/api/logout', token: pair.refresh_token });
      assert.equal(out.statusCode, 204);
      const res = await t.request({ method: 'POST', url: '/api/refresh', token: pair.refresh_token });
      assert.equal(res.statusCode, 401);
    });

    it('refuses tokens after the access token expires', async () => {
      const pair = (await login({ username: 'alice.b', password: 'password-1' })).json();
      t.clock.advance(16 * 60 * 1000);
      try {
        const res = await t.request({ method: 'GET', url: '/api/users/me', token: pair.access_token });
        assert.equal(res.statusCode, 401);
        const refreshed = await t.request({ method: 'POST', url: '/api/refresh', token: pair.refresh_token });
        assert.equal(refreshed.statusCode, 200);
      } finally {
        t.clock.advance(-16 * 60 * 1000);
      }
    });

    it('refuses a token it accepted before once it expires, and any altered copy of it', async () => {
      const token = (await login({ username: 'alice.b', password: 'password-1' })).json()
        .access_token as string;
      const me = (bearer: string) => t.request({ method: 'GET', url: '/api/users/me', token: bearer });
      assert.equal((await me(token)).statusCode, 200);
      assert.equal((await me(token)).statusCode, 200); // its signature is now remembered
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const flipped = signature[5] === 'A' ? 'B' : 'A';
      const forged = `${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
      assert.equal((await me(forged)).statusCode, 401);
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const promoted = Buffer.from(JSON.stringify({ ...claims, is_admin: true })).toString('base64url');
      assert.equal((await me(`${header}.${promoted}.${signature}`)).statusCode, 401);
      t.clock.advance(16 * 60 * 1000);
      try {
        const expired = await me(token);
        assert.equal(expired.statusCode, 401);
        assert.equal(expired.json().detail, 'The token has expired');
      } finally {
        t.clock.advance(-16 * 60 * 1000);
      }
    });
  });
}
