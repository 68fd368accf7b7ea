import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeImage, multipart } from './helpers/media.js';
import { startServer } from './helpers/server.js';

// The production process's life cycle, on the compiled build: a cluster primary that replaces
// dead workers, and graceful stops whichever way the supervisor sends SIGTERM.

const tempDir = () => mkdtempSync(join(tmpdir(), 'mercato-life-'));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Pids of the processes that logged "Server listening", in order. */
const listeningPids = (output: string[]) =>
  output
    .filter((line) => line.includes('"Server listening at'))
    .map((line) => JSON.parse(line).pid as number);

describe('process life cycle', () => {
  it('a cluster worker that dies is replaced while the other keeps serving the port', async () => {
    const dir = tempDir();
    const server = await startServer({
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      ADMIN_PASSWORD: 'admin-password-1',
      WEB_CONCURRENCY: '2',
      PORT: String(20000 + Math.floor(Math.random() * 20000)),
    });
    const listeningWorkers = () => listeningPids(server.output);
    try {
      await waitFor(() => listeningWorkers().length === 2, 'both workers listening');
      const [victim, survivor] = listeningWorkers() as [number, number];
      process.kill(victim, 'SIGKILL');
      let failures = 0;
      const polling = (async () => {
        while (listeningWorkers().length < 3) {
          const res = await fetch(new URL('/health', server.url), { headers: { connection: 'close' } }).catch(
            () => undefined,
          );
          if (res?.status !== 200) failures += 1;
          await sleep(20);
        }
      })();
      await waitFor(() => listeningWorkers().length === 3, 'a replacement worker listening');
      await polling;
      assert.equal(failures, 0, 'the port stopped answering while a worker was replaced');
      const replacement = listeningWorkers()[2];
      assert.ok(replacement !== victim && replacement !== survivor, `new worker pid ${replacement}`);
      assert.ok(server.output.some((line) => line.includes('worker died; replacing it')));
    } finally {
      assert.equal(await server.stop(), 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const target of ['the npm start process alone', 'the process group'] as const) {
    it(`SIGTERM to ${target} lets an in-flight upload finish, then everything exits 0`, async () => {
      const dir = tempDir();
      const server = await startServer(
        {
          DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
          ADMIN_PASSWORD: 'admin-password-1',
          UPLOAD_DIR: join(dir, 'up'),
        },
        { viaNpm: true },
      );
      const npmPid = server.proc.pid!;
      try {
        await waitFor(() => listeningPids(server.output).length > 0, 'the server listening');
        const serverPid = listeningPids(server.output)[0];
        assert.ok(serverPid && serverPid !== npmPid, 'npm runs the server as its child');
        const credentials = JSON.stringify({ username: 'uploader', password: 'password-123' });
        const post = (path: string) =>
          fetch(new URL(path, server.url), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: credentials,
          });
        assert.equal((await post('/api/register')).status, 201);
        const { access_token } = (await (await post('/api/login')).json()) as { access_token: string };
        const { payload, headers } = multipart([
          {
            name: 'image',
            filename: 'me.png',
            contentType: 'image/png',
            data: await makeImage('png', 800, 600),
          },
        ]);
        const upload = new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(
            new URL('/api/user/profile-image', server.url),
            {
              method: 'POST',
              headers: {
                ...headers,
                authorization: `Bearer ${access_token}`,
                'content-length': payload.length,
              },
            },
            (res) => {
              let text = '';
              res.on('data', (c) => (text += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
            },
          );
          req.on('error', reject);
          req.write(payload.subarray(0, payload.length / 2)); // the upload is now in flight
          setTimeout(() => {
            process.kill(target === 'the process group' ? -npmPid : npmPid, 'SIGTERM');
            setTimeout(() => req.end(payload.subarray(payload.length / 2)), 500);
          }, 300);
        });
        const res = await upload;
        assert.equal(res.status, 200, res.body);
        assert.equal(await server.exit, 0);
        assert.throws(() => process.kill(serverPid, 0), 'the server process is gone');
      } finally {
        if (server.proc.exitCode === null) process.kill(-npmPid, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
