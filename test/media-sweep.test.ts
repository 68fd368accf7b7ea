import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sweepOrphanFiles } from '../src/modules/media/media.sweep.js';
import { LocalDiskStorage } from '../src/modules/media/storage.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import { filesIn, keyOf, makeImage, referencedFiles, upload } from './helpers/media.js';

for (const dialect of testDialects()) {
  describe(`media orphan sweep (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(() => t.close());

    it('removes old unreferenced files only: referenced, recent and foreign files stay', async () => {
      const user = await t.customer('sweep');
      const url = (await upload(t, '/api/user/profile-image', user.token, await makeImage('png'))).json().user
        .profile_image_url;
      const hour = 60 * 60 * 1000;
      const now = new Date();
      const write = (key: string, ageMs: number) => {
        mkdirSync(join(t.uploadDir, key.slice(0, 2)), { recursive: true });
        writeFileSync(join(t.uploadDir, key), 'x');
        const when = new Date(now.getTime() - ageMs);
        utimesSync(join(t.uploadDir, key), when, when);
      };
      const old = 'ab/0123456789abcdef0123456789abcdef.jpg';
      const oldThumb = 'ab/0123456789abcdef0123456789abcdef-thumb.webp';
      const recent = 'cd/fedcba9876543210fedcba9876543210.png';
      write(old, 2 * hour);
      write(oldThumb, 2 * hour);
      write(recent, 5 * 60 * 1000);
      write('ab/not-a-media-key.txt', 2 * hour);
      // The referenced files are old too: age alone never removes a file.
      for (const key of await referencedFiles(t.db)) {
        utimesSync(
          join(t.uploadDir, key),
          new Date(now.getTime() - 3 * hour),
          new Date(now.getTime() - 3 * hour),
        );
      }

      const result = await sweepOrphanFiles(t.db, new LocalDiskStorage(t.uploadDir), now);
      assert.deepEqual(result.removed.sort(), [oldThumb, old].sort());
      assert.equal(result.checked, 5);
      const left = filesIn(t.uploadDir);
      assert.ok(left.includes(keyOf(url)));
      assert.ok(left.includes(recent));
      assert.ok(left.includes('ab/not-a-media-key.txt'));
      assert.ok(!left.includes(old));
      assert.equal((await t.request({ method: 'GET', url })).statusCode, 200);
    });
  });
}
