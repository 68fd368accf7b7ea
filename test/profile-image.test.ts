import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import {
  filesIn,
  keyOf,
  makeImage,
  multipart,
  referencedFiles,
  storageWithHook,
  upload,
} from './helpers/media.js';

const URL = '/api/user/profile-image';

for (const dialect of testDialects()) {
  describe(`profile images (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      assert.deepEqual(filesIn(t.uploadDir), await referencedFiles(t.db));
      await t.close();
    });

    const fileOf = (url: string) => join(t.uploadDir, keyOf(url));

    it('works as a seed 003 user sends it from Insomnia: upload, get, delete', async () => {
      const user = await t.customer('seed');
      const jpeg = await makeImage('jpeg', 800, 800);
      // Insomnia's own multipart framing, byte for byte.
      const payload = Buffer.concat([
        Buffer.from(
          '--X-INSOMNIA-BOUNDARY\r\nContent-Disposition: form-data; name="image"; filename="me.jpg"\r\n' +
            'Content-Type: image/jpeg\r\n\r\n',
        ),
        jpeg,
        Buffer.from('\r\n--X-INSOMNIA-BOUNDARY--\r\n'),
      ]);
      const res = await t.request({
        method: 'POST',
        url: URL,
        token: user.token,
        headers: { 'content-type': 'multipart/form-data; boundary=X-INSOMNIA-BOUNDARY' },
        payload,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().message, 'Profile image uploaded successfully');
      const url = res.json().user.profile_image_url;
      assert.match(url, /^\/media\/[a-f0-9]{2}\/[a-f0-9]{32}\.jpg$/);
      assert.equal(res.json().user.id, user.id);
      assert.equal(res.json().user.password_hash, undefined);

      const got = await t.request({ method: 'GET', url: URL, token: user.token });
      assert.equal(got.statusCode, 200);
      assert.equal(got.json().profile_image_url, url);
      const me = await t.request({ method: 'GET', url: '/api/users/me', token: user.token });
      assert.equal(me.json().profile_image_url, url);

      const served = await t.request({ method: 'GET', url });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/jpeg');
      assert.equal(served.headers['x-content-type-options'], 'nosniff');
      assert.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.ok(served.headers.etag);

      const del = await t.request({ method: 'DELETE', url: URL, token: user.token });
      assert.equal(del.statusCode, 200);
      assert.equal(del.json().message, 'Profile image deleted successfully');
      assert.equal(del.json().user.profile_image_url, null);
      assert.equal(existsSync(fileOf(url)), false);
      assert.equal((await t.request({ method: 'GET', url })).statusCode, 404);
      const again = await t.request({ method: 'DELETE', url: URL, token: user.token });
      assert.equal(again.statusCode, 404);
      assert.equal(again.json().code, 'not_found');
    });

    it('replacing the image removes the old files and keeps a thumbnail of the new one', async () => {
      const user = await t.customer('replace');
      const first = (await upload(t, URL, user.token, await makeImage('png'))).json().user.profile_image_url;
      const firstRow = await t.db
        .selectFrom('media')
        .select(['storage_key', 'thumbnail_key'])
        .where('storage_key', '=', keyOf(first))
        .executeTakeFirstOrThrow();
      const res = await upload(t, URL, user.token, await makeImage('webp', 1200, 900), {
        filename: 'b.webp',
      });
      assert.equal(res.statusCode, 200);
      const second = res.json().user.profile_image_url;
      assert.notEqual(second, first);
      for (const key of [firstRow.storage_key, firstRow.thumbnail_key]) {
        assert.equal(existsSync(join(t.uploadDir, key)), false, key);
      }
      const row = await t.db
        .selectFrom('media')
        .selectAll()
        .where('storage_key', '=', keyOf(second))
        .executeTakeFirstOrThrow();
      assert.equal(row.content_type, 'image/webp');
      const thumb = await sharp(readFileSync(join(t.uploadDir, row.thumbnail_key))).metadata();
      assert.deepEqual([thumb.format, thumb.width, thumb.height], ['webp', 400, 300]);
      assert.equal(
        await t.db
          .selectFrom('media')
          .select('id')
          .where('storage_key', '=', firstRow.storage_key)
          .executeTakeFirst(),
        undefined,
      );
    });

    it('an empty file name or an empty file is a 400 and keeps the current image (seed 003 deleted it)', async () => {
      const user = await t.customer('empty');
      const url = (await upload(t, URL, user.token, await makeImage('gif'), { filename: 'a.gif' })).json()
        .user.profile_image_url;
      const files = filesIn(t.uploadDir);
      for (const part of [
        { name: 'image', filename: '', contentType: 'application/octet-stream', data: '' },
        { name: 'image', filename: 'a.png', contentType: 'image/png', data: '' },
        { name: 'photo', filename: 'a.png', contentType: 'image/png', data: await makeImage('png') },
      ]) {
        const res = await t.request({ method: 'POST', url: URL, token: user.token, ...multipart([part]) });
        assert.equal(res.statusCode, 400, JSON.stringify(part.name));
        assert.equal(res.json().code, 'bad_request');
      }
      assert.deepEqual(filesIn(t.uploadDir), files);
      assert.equal(
        (await t.request({ method: 'GET', url: URL, token: user.token })).json().profile_image_url,
        url,
      );
      assert.equal(existsSync(fileOf(url)), true);
    });

    it('ignores the client file name: a path in it never reaches the disk', async () => {
      const user = await t.customer('paths');
      const res = await upload(t, URL, user.token, await makeImage('png'), {
        filename: '../../../etc/evil.png',
      });
      assert.equal(res.statusCode, 200);
      assert.match(res.json().user.profile_image_url, /^\/media\/[a-f0-9]{2}\/[a-f0-9]{32}\.png$/);
      assert.ok(
        filesIn(t.uploadDir).every((file) =>
          /^[a-f0-9]{2}\/[a-f0-9]{32}(-thumb)?\.(png|jpg|gif|webp)$/.test(file),
        ),
      );
    });

    it('refuses a non-image with 415 and an anonymous caller with 401', async () => {
      const user = await t.customer('bad');
      const files = filesIn(t.uploadDir);
      const res = await upload(t, URL, user.token, '%PDF-1.4\n%...', {
        filename: 'cv.jpg',
        contentType: 'image/jpeg',
      });
      assert.equal(res.statusCode, 415);
      assert.equal(res.json().code, 'unsupported_media_type');
      const anonymous = await upload(t, URL, undefined, await makeImage('png'));
      assert.equal(anonymous.statusCode, 401);
      assert.equal((await t.request({ method: 'GET', url: URL })).statusCode, 401);
      assert.deepEqual(filesIn(t.uploadDir), files);
    });

    it('deleting the account removes its image files', async () => {
      const user = await t.customer('leaving');
      const url = (await upload(t, URL, user.token, await makeImage('png'))).json().user.profile_image_url;
      const row = await t.db
        .selectFrom('media')
        .select(['storage_key', 'thumbnail_key'])
        .where('storage_key', '=', keyOf(url))
        .executeTakeFirstOrThrow();
      const res = await t.request({
        method: 'DELETE',
        url: '/api/users/me',
        token: user.token,
        payload: { password: user.password },
      });
      assert.equal(res.statusCode, 204);
      assert.equal(existsSync(join(t.uploadDir, row.storage_key)), false);
      assert.equal(existsSync(join(t.uploadDir, row.thumbnail_key)), false);
    });
  });

  describe(`profile images when the database step fails (${dialect})`, () => {
    let t: TestApp;
    let victim = 0;
    before(async () => {
      // The account is deleted (e.g. from another session) after the files are written and
      // before the row: the upload must fail and take its files with it.
      t = await buildTestApp(dialect, {
        storage: (dir) =>
          storageWithHook(dir, async () => {
            if (victim) await t.db.deleteFrom('users').where('id', '=', victim).execute();
          }),
      });
    });
    after(() => t.close());

    it('leaves no orphan file', async () => {
      const user = await t.customer('vanishing');
      victim = user.id;
      const res = await upload(t, URL, user.token, await makeImage('png'));
      victim = 0;
      assert.equal(res.statusCode, 401, res.body);
      assert.deepEqual(filesIn(t.uploadDir), []);
      assert.deepEqual(await referencedFiles(t.db), []);
    });
  });
}
