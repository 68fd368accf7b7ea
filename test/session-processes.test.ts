import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN_PASSWORD, createTestDatabase, type TestDatabase } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { type RunningServer, startServer } from './helpers/server.js';

/*
 * Two app processes (the compiled server) on one database, each answering session checks from its
 * own memory: a write through one of them, or through the create-admin CLI (a third process), must
 * end the session in the other within a second.
 */
for (const dialect of testDialects()) {
  describe(`session revocation across processes (${dialect})`, () => {
    let database: TestDatabase;
    let servers: RunningServer[] = [];
    const secret = randomBytes(32).toString('hex');

    before(async () => {
      database = await createTestDatabase(dialect, { file: true });
      const env = {
        DATABASE_URL: database.url,
        JWT_SECRET: secret,
        ADMIN_PASSWORD,
        RATE_LIMIT_MAX: '1000000',
        AUTH_RATE_LIMIT_MAX: '1000000',
        LOG_LEVEL: 'silent',
      };
      const started = await Promise.allSettled([startServer(env), startServer(env)]);
      servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      for (const s of started) if (s.status === 'rejected') throw s.reason;
    });

    after(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await database?.drop();
    });

    const call = async (server: number, method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(`${servers[server]?.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, json: () => JSON.parse(text) };
    };
    const login = async (username: string, password: string) => {
      const res = await call(0, 'POST', '/api/login', undefined, { username, password });
      assert.equal(res.status, 200);
      return res.json().access_token as string;
    };
    /** Both processes accept `token` on `path`, twice (the second answer comes from memory). */
    const warm = async (path: string, token: string) => {
      for (const server of [0, 1, 0, 1]) assert.equal((await call(server, 'GET', path, token)).status, 200);
    };
    /** Milliseconds until `server` refuses `token` on `path` (polled; fails after 1 s). */
    const refusedAfter = async (server: number, path: string, token: string, since: number) => {
      const refused = (status: number) => status === 401 || status === 403;
      // Until PostgreSQL's NOTIFY arrives a deleted user's stale session may pass (then 404, no profile).
      let status = (await call(server, 'GET', path, token)).status;
      while (!refused(status) && Date.now() - since < 1000) {
        await sleep(10);
        status = (await call(server, 'GET', path, token)).status;
      }
      const elapsed = Date.now() - since;
      assert.ok(
        status === 401 || status === 403,
        `process ${server} still answers ${status} after ${elapsed} ms`,
      );
      assert.ok(elapsed <= 1000, `refused after ${elapsed} ms`);
      return elapsed;
    };
    let sequence = 0;
    const register = async () => {
      sequence += 1;
      const credentials = { username: `sess${sequence}_${process.pid}`, password: 'correct-horse-1' };
      const res = await call(1, 'POST', '/api/register', undefined, credentials);
      assert.equal(res.status, 201);
      return { id: res.json().user.id as number, ...credentials };
    };

    it('a demoted admin is refused by every process within one second', async () => {
      const admin = await login('admin', ADMIN_PASSWORD);
      const user = await register();
      assert.equal(
        (await call(0, 'PATCH', `/api/admin/users/${user.id}`, admin, { is_admin: true })).status,
        200,
      );
      const token = await login(user.username, user.password);
      await warm('/api/admin/users?limit=1', token);
      const demoted = await call(0, 'PATCH', `/api/admin/users/${user.id}`, admin, { is_admin: false });
      assert.equal(demoted.status, 200);
      const at = Date.now();
      await refusedAfter(0, '/api/admin/users?limit=1', token, at);
      console.log(
        `# demotion refused by the other process after ${await refusedAfter(1, '/api/admin/users?limit=1', token, at)} ms`,
      );
    });

    it('a changed password ends the session in every process within one second', async () => {
      const user = await register();
      const token = await login(user.username, user.password);
      await warm('/api/users/me', token);
      const changed = await call(1, 'PATCH', '/api/users/me', token, {
        password: 'new-password-2',
        current_password: user.password,
      });
      assert.equal(changed.status, 200);
      const at = Date.now();
      await refusedAfter(1, '/api/users/me', token, at);
      console.log(
        `# password change refused by the other process after ${await refusedAfter(0, '/api/users/me', token, at)} ms`,
      );
    });

    it('a deleted account is refused by every process within one second', async () => {
      const user = await register();
      const token = await login(user.username, user.password);
      await warm('/api/users/me', token);
      const deleted = await call(0, 'DELETE', '/api/users/me', token, { password: user.password });
      assert.equal(deleted.status, 204);
      const at = Date.now();
      await refusedAfter(0, '/api/users/me', token, at);
      await refusedAfter(1, '/api/users/me', token, at);
    });

    it('a password reset by the create-admin CLI (a third process) is refused by both within one second', async () => {
      const user = await register();
      const token = await login(user.username, user.password);
      await warm('/api/users/me', token);
      const cli = spawn(
        process.execPath,
        ['dist/cli/create-admin.js', '--username', user.username, '--password', 'reset-password-3'],
        {
          env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: database.url, ADMIN_PASSWORD },
          stdio: 'ignore',
        },
      );
      const [code] = await once(cli, 'exit');
      assert.equal(code, 0);
      const at = Date.now();
      await refusedAfter(0, '/api/users/me', token, at);
      await refusedAfter(1, '/api/users/me', token, at);
      const fresh = await login(user.username, 'reset-password-3');
      assert.equal((await call(1, 'GET', '/api/admin/users?limit=1', fresh)).status, 200);
    });
  });
}
