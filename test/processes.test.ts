import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDatabaseUrl } from '../src/config.js';
import { createDatabase } from '../src/db/connect.js';
import { createPostgresSchema } from './helpers/app.js';
import { testPostgresUrl } from './helpers/env.js';
import { runServerToExit, startServer } from './helpers/server.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'mercato-proc-'));

describe('processes', () => {
  it('production refuses to start without JWT_SECRET, naming the variable', async () => {
    const dir = tempDir();
    try {
      const { code, output } = await runServerToExit({
        NODE_ENV: 'production',
        JWT_SECRET: '',
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      });
      assert.equal(code, 1);
      assert.match(output, /JWT_SECRET/);
      const weak = await runServerToExit({
        NODE_ENV: 'production',
        JWT_SECRET: 'short',
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      });
      assert.equal(weak.code, 1);
      assert.match(weak.output, /JWT_SECRET must be at least 32 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('invalid configuration stops the process with a message naming the variable', async () => {
    const { code, output } = await runServerToExit({ NODE_ENV: 'test', PORT: 'eighty' });
    assert.equal(code, 1);
    assert.match(output, /PORT must be a whole number/);
  });

  it('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const dir = tempDir();
    const server = await startServer({
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      ADMIN_PASSWORD: 'admin-password-1',
    });
    try {
      const url = new URL('/api/register', server.url);
      const body = JSON.stringify({ username: 'inflight', password: 'password-123' });
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10)); // the request is now in flight
        setTimeout(() => {
          server.proc.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 300);
        }, 300);
      });
      const res = await response;
      assert.equal(res.status, 201, res.body);
      assert.equal(await server.exit, 0);
    } finally {
      await server.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('WEB_CONCURRENCY=2 runs two workers that both serve', async () => {
    const dir = tempDir();
    const server = await startServer({
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      ADMIN_PASSWORD: 'admin-password-1',
      WEB_CONCURRENCY: '2',
      PORT: String(20000 + Math.floor(Math.random() * 20000)),
    });
    try {
      await sleep(3000); // both workers up (the first one to listen resolved startServer)
      for (let i = 0; i < 40; i++) {
        const res = await fetch(new URL('/health', server.url), { headers: { connection: 'close' } });
        assert.equal(res.status, 200);
      }
      const pids = new Set(
        server.output
          .filter((line) => line.includes('"request completed"'))
          .map((line) => JSON.parse(line).pid as number),
      );
      assert.equal(pids.size, 2, `requests served by workers ${[...pids].join(', ')}`);
    } finally {
      assert.equal(await server.stop(), 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm run create-admin makes an admin, or resets one, who can then log in', async () => {
    const dir = tempDir();
    const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
    const run = (args: string[]) =>
      new Promise<number | null>((resolve) => {
        const proc = spawn(process.execPath, ['dist/cli/create-admin.js', ...args], {
          env: {
            ...process.env,
            NODE_ENV: 'test',
            DATABASE_URL: databaseUrl,
            ADMIN_PASSWORD: 'first-admin-pw',
          },
          stdio: 'ignore',
        });
        proc.on('exit', resolve);
      });
    try {
      assert.equal(await run(['--username', 'boss', '--password', 'boss-password-1']), 0);
      assert.equal(await run(['--username', 'boss', '--password', 'boss-password-2']), 0);
      const server = await startServer({ DATABASE_URL: databaseUrl });
      try {
        const login = (password: string) =>
          fetch(new URL('/api/login', server.url), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'boss', password }),
          });
        assert.equal((await login('boss-password-1')).status, 401);
        const ok = await login('boss-password-2');
        assert.equal(ok.status, 200);
        const { access_token } = (await ok.json()) as { access_token: string };
        const admin = await fetch(new URL('/api/admin/users', server.url), {
          headers: { authorization: `Bearer ${access_token}` },
        });
        assert.equal(admin.status, 200);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const pgUrl = testPostgresUrl();
  it('three processes started at once on one empty PostgreSQL database all come up, seeding once', {
    skip: !pgUrl && 'TEST_DATABASE_URL is not set',
  }, async () => {
    const schema = await createPostgresSchema();
    const env = { DATABASE_URL: schema.url, ADMIN_PASSWORD: 'admin-password-1' };
    const started = await Promise.allSettled([startServer(env), startServer(env), startServer(env)]);
    const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const db = createDatabase(parseDatabaseUrl(schema.url));
    try {
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      for (const server of servers) assert.equal((await fetch(new URL('/ready', server.url))).status, 200);
      const categories = await db
        .selectFrom('categories')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(categories.n), 20);
      const admins = await db.selectFrom('users').select('username').where('is_admin', '=', 1).execute();
      assert.deepEqual(admins, [{ username: 'admin' }]);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.destroy();
      await schema.drop();
    }
  });
});
