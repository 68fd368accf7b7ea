import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { testDialects } from './helpers/env.js';
import {
  filesIn,
  hasGpsIfd,
  insertProduct,
  keyOf,
  makeImage,
  multipart,
  referencedFiles,
  storageWithHook,
  upload,
} from './helpers/media.js';

const PROBLEM = 'application/problem+json; charset=utf-8';

for (const dialect of testDialects()) {
  describe(`product images (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await buildTestApp(dialect);
      admin = await t.adminToken();
    });
    after(async () => {
      // The suite's last word: UPLOAD_DIR holds exactly the files the database references.
      assert.deepEqual(filesIn(t.uploadDir), await referencedFiles(t.db));
      await t.close();
    });

    const mainImage = (id: number, data: Buffer | string, options?: Parameters<typeof upload>[4]) =>
      upload(t, `/api/products/${id}/image`, admin, data, options);
    const fileOf = (url: string) => join(t.uploadDir, keyOf(url));

    /** Asserts that a refused request answered the problem and left the disk and the product as they were. */
    async function assertRefused(
      productId: number,
      send: () => Promise<LightMyRequestResponse>,
      status: number,
      code: string,
    ) {
      const files = filesIn(t.uploadDir);
      const before = await t.request({ method: 'GET', url: `/api/products/${productId}/image` });
      const res = await send();
      assert.equal(res.statusCode, status, JSON.stringify(res.json()));
      assert.equal(res.headers['content-type'], PROBLEM);
      assert.equal(res.json().code, code);
      assert.deepEqual(filesIn(t.uploadDir), files);
      const after = await t.request({ method: 'GET', url: `/api/products/${productId}/image` });
      assert.deepEqual(after.json().images, before.json().images);
      return res.json();
    }

    it('accepts PNG, JPEG, GIF and WebP as the main image, each replacing the last and its files', async () => {
      const id = await insertProduct(t.db);
      let previous: string[] = [];
      for (const [format, type, ext] of [
        ['png', 'image/png', 'png'],
        ['jpeg', 'image/jpeg', 'jpg'],
        ['gif', 'image/gif', 'gif'],
        ['webp', 'image/webp', 'webp'],
      ] as const) {
        const res = await mainImage(id, await makeImage(format, 900, 600), {
          filename: `picture.${ext}`,
          contentType: type,
        });
        assert.equal(res.statusCode, 200, res.body);
        const { message, product } = res.json();
        assert.equal(message, 'Image uploaded successfully');
        assert.equal(product.id, id);
        assert.equal(product.images.length, 1);
        const image = product.images[0];
        assert.equal(product.image_url, image.url);
        assert.match(image.url, new RegExp(`^/media/[a-f0-9]{2}/[a-f0-9]{32}\\.${ext}$`));
        assert.match(image.thumbnail_url, /^\/media\/[a-f0-9]{2}\/[a-f0-9]{32}-thumb\.webp$/);

        const stored = await sharp(readFileSync(fileOf(image.url))).metadata();
        assert.equal(stored.format, format === 'jpeg' ? 'jpeg' : format);
        assert.deepEqual([stored.width, stored.height], [900, 600]);
        const thumb = await sharp(readFileSync(fileOf(image.thumbnail_url))).metadata();
        assert.equal(thumb.format, 'webp');
        assert.deepEqual([thumb.width, thumb.height], [400, 267]);
        const row = await t.db
          .selectFrom('media')
          .selectAll()
          .where('storage_key', '=', keyOf(image.url))
          .executeTakeFirstOrThrow();
        assert.equal(row.content_type, type);
        assert.deepEqual([row.width, row.height], [900, 600]);
        assert.equal(row.bytes, readFileSync(fileOf(image.url)).length);

        for (const old of previous) assert.equal(existsSync(old), false, `${old} was not removed`);
        previous = [fileOf(image.url), fileOf(image.thumbnail_url)];
      }
      assert.equal(
        await t.db
          .selectFrom('product_images')
          .select('id')
          .where('product_id', '=', id)
          .execute()
          .then((r) => r.length),
        1,
      );
    });

    it('keeps an animated GIF animated and makes its thumbnail from the first frame', async () => {
      const id = await insertProduct(t.db);
      const frame = (r: number) =>
        sharp({ create: { width: 120, height: 80, channels: 3, background: { r, g: 0, b: 0 } } })
          .png()
          .toBuffer();
      const gif = await sharp([await frame(255), await frame(0)], { join: { animated: true } })
        .gif({ delay: [100, 100] })
        .toBuffer();
      const res = await mainImage(id, gif, { filename: 'anim.gif', contentType: 'image/gif' });
      assert.equal(res.statusCode, 200, res.body);
      const image = res.json().product.images[0];
      assert.equal((await sharp(readFileSync(fileOf(image.url))).metadata()).pages, 2);
      const thumb = await sharp(readFileSync(fileOf(image.thumbnail_url))).metadata();
      assert.equal(thumb.pages ?? 1, 1);
      assert.deepEqual([thumb.width, thumb.height], [120, 80]);
    });

    it('refuses a text file named .png with 415, whatever its declared type', async () => {
      const id = await insertProduct(t.db);
      const problem = await assertRefused(
        id,
        () =>
          mainImage(id, 'just some text, not an image\n'.repeat(20), {
            filename: 'evil.png',
            contentType: 'image/png',
          }),
        415,
        'unsupported_media_type',
      );
      assert.match(problem.detail, /PNG, JPEG, GIF or WebP/);
      // An SVG (script-capable) and a TIFF (a real image format we do not take) are refused alike.
      const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
      await assertRefused(id, () => mainImage(id, svg, { filename: 'x.png' }), 415, 'unsupported_media_type');
      const tiff = await sharp({ create: { width: 10, height: 10, channels: 3, background: 'red' } })
        .tiff()
        .toBuffer();
      await assertRefused(
        id,
        () => mainImage(id, tiff, { filename: 'x.png' }),
        415,
        'unsupported_media_type',
      );
    });

    it('refuses a truncated PNG with 415', async () => {
      const id = await insertProduct(t.db);
      const png = await sharp({
        create: {
          width: 300,
          height: 300,
          channels: 3,
          background: 'black',
          noise: { type: 'gaussian', mean: 128, sigma: 40 },
        },
      })
        .png()
        .toBuffer();
      const problem = await assertRefused(
        id,
        () => mainImage(id, png.subarray(0, Math.floor(png.length / 2))),
        415,
        'unsupported_media_type',
      );
      assert.match(problem.detail, /damaged or incomplete/);
    });

    it('refuses a 6 MiB upload with a 413 problem and writes nothing', async () => {
      const id = await insertProduct(t.db);
      const problem = await assertRefused(
        id,
        () => mainImage(id, randomBytes(6 * 1024 * 1024)),
        413,
        'payload_too_large',
      );
      assert.match(problem.detail, /larger than 5 MiB/);
    });

    it('cuts off a file just over the limit while streaming it (413, nothing written)', async () => {
      const id = await insertProduct(t.db);
      // Within the envelope allowed for multipart headers, so only the stream limit can catch it.
      const data = randomBytes(5 * 1024 * 1024 + 100);
      await assertRefused(id, () => mainImage(id, data), 413, 'payload_too_large');
    });

    it('refuses a 50-megapixel PNG before decoding it, with a message that says why', async () => {
      const id = await insertProduct(t.db);
      const bomb = await sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: 'white' } })
        .png({ compressionLevel: 9 })
        .toBuffer();
      assert.ok(bomb.length < 1024 * 1024, 'the bomb is small on the wire');
      const problem = await assertRefused(id, () => mainImage(id, bomb), 413, 'payload_too_large');
      assert.match(problem.detail, /50\.0 megapixels; at most 40 megapixels/);
    });

    it('applies the EXIF orientation and strips EXIF and GPS from the stored file', async () => {
      const id = await insertProduct(t.db);
      const photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: 'blue' } })
        .jpeg()
        .withMetadata({ orientation: 6 })
        .withExif({
          IFD0: { Make: 'SecretCam', Artist: 'Jane Doe' },
          IFD3: {
            GPSLatitudeRef: 'N',
            GPSLatitude: '51/1 30/1 0/1',
            GPSLongitudeRef: 'W',
            GPSLongitude: '0/1 7/1 0/1',
          },
        })
        .toBuffer();
      const sent = await sharp(photo).metadata();
      assert.equal(hasGpsIfd(sent.exif), true, 'the upload carries GPS');
      assert.equal(sent.orientation, 6);

      const res = await mainImage(id, photo, { filename: 'IMG_0001.JPG', contentType: 'image/jpeg' });
      assert.equal(res.statusCode, 200, res.body);
      const image = res.json().product.images[0];
      for (const url of [image.url, image.thumbnail_url]) {
        const bytes = readFileSync(fileOf(url));
        const stored = await sharp(bytes).metadata();
        assert.equal(stored.exif, undefined);
        assert.equal(hasGpsIfd(stored.exif), false);
        assert.equal(stored.xmp, undefined);
        assert.equal(stored.orientation, undefined);
        assert.equal(bytes.includes('SecretCam'), false);
        assert.equal(bytes.includes('Jane Doe'), false);
      }
      const stored = await sharp(readFileSync(fileOf(image.url))).metadata();
      assert.deepEqual([stored.width, stored.height], [200, 300], 'rotated upright');
    });

    it('answers 400 and changes nothing for a missing field, no file, an empty file name or an empty file', async () => {
      const id = await insertProduct(t.db);
      assert.equal((await mainImage(id, await makeImage('png'))).statusCode, 200);
      const png = await makeImage('png');
      const cases = [
        { name: 'file', filename: 'photo.png', contentType: 'image/png', data: png },
        { name: 'image', filename: '', contentType: 'application/octet-stream', data: '' },
        { name: 'image', filename: '', contentType: 'image/png', data: png },
        { name: 'image', filename: 'empty.png', contentType: 'image/png', data: '' },
        { name: 'image', data: 'not a file, a text field' },
      ];
      for (const part of cases) {
        const problem = await assertRefused(
          id,
          () =>
            t.request({
              method: 'POST',
              url: `/api/products/${id}/image`,
              token: admin,
              ...multipart([part]),
            }),
          400,
          'bad_request',
        );
        assert.match(problem.detail, /file|field/i);
      }
      // No parts at all.
      await assertRefused(
        id,
        () => t.request({ method: 'POST', url: `/api/products/${id}/image`, token: admin, ...multipart([]) }),
        400,
        'bad_request',
      );
    });

    it('answers a broken multipart body with 400 and a second file with 413, changing nothing', async () => {
      const id = await insertProduct(t.db);
      assert.equal((await mainImage(id, await makeImage('png'))).statusCode, 200);
      const form = multipart([
        { name: 'image', filename: 'a.png', contentType: 'image/png', data: await makeImage('png') },
      ]);
      const send = (payload: Buffer, headers: Record<string, string>) => () =>
        t.request({ method: 'POST', url: `/api/products/${id}/image`, token: admin, payload, headers });
      await assertRefused(
        id,
        send(form.payload.subarray(0, form.payload.length - 100), form.headers),
        400,
        'bad_request',
      );
      await assertRefused(
        id,
        send(form.payload, { 'content-type': 'multipart/form-data' }),
        400,
        'bad_request',
      );
      const two = multipart([
        { name: 'image', filename: 'a.png', contentType: 'image/png', data: await makeImage('png') },
        { name: 'image', filename: 'b.png', contentType: 'image/png', data: await makeImage('png') },
      ]);
      const problem = await assertRefused(id, send(two.payload, two.headers), 413, 'payload_too_large');
      assert.match(problem.detail, /one file/);
    });

    it('refuses a body that is not multipart with 415', async () => {
      const id = await insertProduct(t.db);
      await assertRefused(
        id,
        () =>
          t.request({
            method: 'POST',
            url: `/api/products/${id}/image`,
            token: admin,
            payload: { image: 'x' },
          }),
        415,
        'unsupported_media_type',
      );
    });

    it('lets only admins change product images (403 for a customer, 401 anonymous)', async () => {
      const id = await insertProduct(t.db);
      const customer = await t.customer();
      const png = await makeImage('png');
      await assertRefused(
        id,
        () => upload(t, `/api/products/${id}/image`, customer.token, png),
        403,
        'forbidden',
      );
      await assertRefused(
        id,
        () => upload(t, `/api/products/${id}/images`, customer.token, png),
        403,
        'forbidden',
      );
      await assertRefused(
        id,
        () => upload(t, `/api/products/${id}/image`, undefined, png),
        401,
        'unauthorized',
      );
      const del = await t.request({
        method: 'DELETE',
        url: `/api/products/${id}/image`,
        token: customer.token,
      });
      assert.equal(del.statusCode, 403);
    });

    it('answers 404 for an unknown product and writes nothing', async () => {
      const files = filesIn(t.uploadDir);
      const res = await mainImage(999_999, await makeImage('png'));
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'not_found');
      assert.deepEqual(filesIn(t.uploadDir), files);
    });

    it('serves the files with their type, nosniff, an ETag and immutable caching', async () => {
      const id = await insertProduct(t.db);
      const image = (await mainImage(id, await makeImage('jpeg'), { filename: 'a.jpg' })).json().product
        .images[0];
      for (const [url, type] of [
        [image.url, 'image/jpeg'],
        [image.thumbnail_url, 'image/webp'],
      ]) {
        const res = await t.request({ method: 'GET', url });
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], type);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
        assert.match(String(res.headers.etag), /^"[a-f0-9-]+(-thumb)?\.(jpg|webp)"$/);
        assert.deepEqual(res.rawPayload, readFileSync(fileOf(url)));
        assert.equal(Number(res.headers['content-length']), res.rawPayload.length);
        const cached = await t.request({
          method: 'GET',
          url,
          headers: { 'if-none-match': String(res.headers.etag) },
        });
        assert.equal(cached.statusCode, 304);
        assert.equal(cached.body, '');
        const head = await t.request({ method: 'HEAD', url });
        assert.equal(head.statusCode, 200);
        assert.equal(head.headers['content-type'], type);
        assert.equal(head.headers['content-length'], res.headers['content-length']);
        assert.equal(head.body, '');
      }
      for (const url of [
        '/media/ab/0123456789abcdef0123456789abcdef.png',
        '/media/..%2F..%2Fetc/passwd',
        '/media/ab/..%2F..%2Fpackage.json',
        '/media/ab/0123456789abcdef0123456789abcdef.svg',
      ]) {
        const res = await t.request({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.headers['content-type'], PROBLEM);
      }
    });

    it('GET /api/products/{id}/image answers the product to anyone', async () => {
      const id = await insertProduct(t.db);
      const uploaded = (await mainImage(id, await makeImage('webp'), { filename: 'a.webp' })).json().product;
      const res = await t.request({ method: 'GET', url: `/api/products/${id}/image` });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().id, id);
      assert.equal(res.json().image_url, uploaded.image_url);
      assert.equal((await t.request({ method: 'GET', url: '/api/products/999999/image' })).statusCode, 404);
    });

    it('DELETE /api/products/{id}/image removes the main image and its files', async () => {
      const id = await insertProduct(t.db);
      const image = (await mainImage(id, await makeImage('png'))).json().product.images[0];
      const res = await t.request({ method: 'DELETE', url: `/api/products/${id}/image`, token: admin });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().message, 'Image deleted successfully');
      assert.equal(res.json().product.image_url, null);
      assert.deepEqual(res.json().product.images, []);
      assert.equal(existsSync(fileOf(image.url)), false);
      assert.equal(existsSync(fileOf(image.thumbnail_url)), false);
      assert.equal((await t.request({ method: 'GET', url: image.url })).statusCode, 404);
      const again = await t.request({ method: 'DELETE', url: `/api/products/${id}/image`, token: admin });
      assert.equal(again.statusCode, 404);
    });

    it('keeps a gallery of at most 8 images; deleting one closes the gap and the next becomes main', async () => {
      const id = await insertProduct(t.db);
      const added = [];
      for (let i = 0; i < 8; i += 1) {
        const res = await upload(
          t,
          `/api/products/${id}/images`,
          admin,
          await makeImage(i % 2 ? 'jpeg' : 'png', 100 + i, 50),
        );
        assert.equal(res.statusCode, 201, res.body);
        const image = res.json();
        assert.equal(image.position, i);
        assert.equal(image.width, 100 + i);
        assert.equal(image.height, 50);
        assert.match(image.content_type, /^image\/(png|jpeg)$/);
        assert.ok(image.bytes > 0);
        assert.match(image.created_at, /Z$/);
        added.push(image);
      }
      const ninth = await makeImage('png');
      const full = await assertRefused(
        id,
        () => upload(t, `/api/products/${id}/images`, admin, ninth),
        409,
        'conflict',
      );
      assert.match(full.detail, /at most 8 images/);
      let product = (await t.request({ method: 'GET', url: `/api/products/${id}` })).json();
      assert.deepEqual(
        product.images.map((i: { id: number }) => i.id),
        added.map((i) => i.id),
      );
      assert.equal(product.image_url, added[0].url);

      const gone = added[3];
      const del = await t.request({
        method: 'DELETE',
        url: `/api/products/${id}/images/${gone.id}`,
        token: admin,
      });
      assert.equal(del.statusCode, 204);
      assert.equal(existsSync(fileOf(gone.url)), false);
      assert.equal(existsSync(fileOf(gone.thumbnail_url)), false);
      const positions = await t.db
        .selectFrom('product_images')
        .select(['id', 'position'])
        .where('product_id', '=', id)
        .orderBy('position')
        .execute();
      assert.deepEqual(
        positions.map((p) => p.position),
        [0, 1, 2, 3, 4, 5, 6],
      );

      await t.request({ method: 'DELETE', url: `/api/products/${id}/image`, token: admin });
      product = (await t.request({ method: 'GET', url: `/api/products/${id}` })).json();
      assert.equal(product.image_url, added[1].url);
      assert.equal(product.images.length, 6);

      const other = await insertProduct(t.db);
      const wrong = await t.request({
        method: 'DELETE',
        url: `/api/products/${other}/images/${added[2].id}`,
        token: admin,
      });
      assert.equal(wrong.statusCode, 404);
      assert.equal(existsSync(fileOf(added[2].url)), true);
    });

    it('removes the image files when the product is deleted', async () => {
      const id = await insertProduct(t.db);
      const main = (await mainImage(id, await makeImage('png'))).json().product.images[0];
      const extra = (await upload(t, `/api/products/${id}/images`, admin, await makeImage('gif'))).json();
      const res = await t.request({ method: 'DELETE', url: `/api/products/${id}`, token: admin });
      assert.equal(res.statusCode, 204);
      for (const url of [main.url, main.thumbnail_url, extra.url, extra.thumbnail_url]) {
        assert.equal(existsSync(fileOf(url)), false, url);
      }
    });

    it('gives concurrent gallery uploads of one product distinct positions, never more than 8', async () => {
      const id = await insertProduct(t.db);
      const images = await Promise.all(Array.from({ length: 10 }, (_, i) => makeImage('png', 50 + i, 50)));
      const results = await Promise.all(
        images.map((image) => upload(t, `/api/products/${id}/images`, admin, image)),
      );
      const statuses = results.map((res) => res.statusCode).sort();
      assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 201, 201, 409, 409]);
      const positions = results
        .filter((res) => res.statusCode === 201)
        .map((res) => res.json().position)
        .sort();
      assert.deepEqual(positions, [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.deepEqual(filesIn(t.uploadDir), await referencedFiles(t.db));
    });

    it('validates the path of the upload routes before reading the body', async () => {
      const res = await upload(t, '/api/products/abc/image', admin, await makeImage('png'));
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'validation_failed');
    });

    it('documents the upload routes as multipart in OpenAPI', async () => {
      const doc = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json();
      for (const path of [
        '/api/products/{id}/image',
        '/api/products/{id}/images',
        '/api/user/profile-image',
      ]) {
        const body = doc.paths[path].post.requestBody;
        assert.ok(body.content['multipart/form-data'], path);
        assert.equal(body.content['multipart/form-data'].schema.properties.image.format, 'binary');
      }
    });

    it('keeps JSON routes free of multipart: a form sent to one is a 415', async () => {
      const form = multipart([{ name: 'username', data: 'admin' }]);
      const res = await t.request({ method: 'POST', url: '/api/login', ...form });
      assert.equal(res.statusCode, 415);
    });
  });

  describe(`product images when the database step fails (${dialect})`, () => {
    let t: TestApp;
    let victim = 0;
    let clash = false;
    before(async () => {
      // A storage driver that, once the files are written, either deletes the product (as a
      // concurrent admin would) or takes the new file's key in the media table (a constraint
      // violation, a 500): either way the transaction fails and must take the files with it.
      t = await buildTestApp(dialect, {
        storage: (dir) =>
          storageWithHook(dir, async (key) => {
            if (victim) await t.db.deleteFrom('products').where('id', '=', victim).execute();
            if (clash) {
              await t.db
                .insertInto('media')
                .values({
                  storage_key: `clash/${key}`,
                  thumbnail_key: key,
                  content_type: 'image/webp',
                  width: 1,
                  height: 1,
                  bytes: 1,
                  created_at: new Date().toISOString(),
                })
                .execute();
            }
          }),
      });
    });
    after(() => t.close());

    it('removes the new files when the product disappears before the row is written', async () => {
      const admin = await t.adminToken();
      const kept = await insertProduct(t.db);
      assert.equal(
        (await upload(t, `/api/products/${kept}/image`, admin, await makeImage('png'))).statusCode,
        200,
      );
      const before = filesIn(t.uploadDir);
      assert.equal(before.length, 2);

      for (const route of ['image', 'images']) {
        victim = await insertProduct(t.db);
        const res = await upload(t, `/api/products/${victim}/${route}`, admin, await makeImage('jpeg'));
        assert.equal(res.statusCode, 404, res.body);
        assert.deepEqual(filesIn(t.uploadDir), before, 'no orphan file');
      }
      victim = 0;
      assert.deepEqual(filesIn(t.uploadDir), await referencedFiles(t.db));
    });

    it('removes the new files when the insert itself fails (500, nothing leaked)', async () => {
      const admin = await t.adminToken();
      const id = await insertProduct(t.db);
      const before = filesIn(t.uploadDir);
      clash = true;
      const res = await upload(t, `/api/products/${id}/images`, admin, await makeImage('webp'));
      clash = false;
      assert.equal(res.statusCode, 500);
      assert.equal(res.json().code, 'internal_error');
      assert.doesNotMatch(res.body, /UNIQUE|unique|media/);
      assert.deepEqual(filesIn(t.uploadDir), before, 'no orphan file');
      await t.db.deleteFrom('media').where('storage_key', 'like', 'clash/%').execute();
      assert.deepEqual(filesIn(t.uploadDir), await referencedFiles(t.db));
    });
  });
}
