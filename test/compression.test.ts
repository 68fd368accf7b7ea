import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { negotiate } from '../src/plugins/compression.js';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { catalog } from './helpers/catalog.js';
import { testDialects } from './helpers/env.js';

describe('Accept-Encoding negotiation', () => {
  it('prefers br, then gzip, and honours q=0 and *', () => {
    assert.equal(negotiate('gzip, deflate, br'), 'br');
    assert.equal(negotiate('gzip'), 'gzip');
    assert.equal(negotiate('br;q=0, gzip'), 'gzip');
    assert.equal(negotiate('gzip;q=1, br;q=0.5'), 'gzip');
    assert.equal(negotiate('*'), 'br');
    assert.equal(negotiate('*;q=0, identity'), undefined);
    assert.equal(negotiate('identity'), undefined);
    assert.equal(negotiate(undefined), undefined);
  });
});

for (const dialect of testDialects()) {
  describe(`compression (${dialect})`, () => {
    let t: TestApp;
    let shop: ReturnType<typeof catalog>;
    before(async () => {
      t = await buildTestApp(dialect);
      shop = catalog(t);
      for (let i = 0; i < 6; i++)
        await shop.product({ name: `Packed lamp ${i}`, description: 'A lamp. '.repeat(20) });
    });
    after(() => t.close());

    // Signed in, so the response cache stays out of the way: this is the route's own response.
    const read = async (url: string, headers: Record<string, string> = {}) =>
      t.request({ method: 'GET', url, headers, token: await t.adminToken() });

    it('sends br, then gzip, for responses over 1 KB; identity when not accepted', async () => {
      const url = '/api/products?q=packed';
      const identity = await read(url);
      assert.equal(identity.headers['content-encoding'], undefined);
      assert.ok(Buffer.byteLength(identity.body) > 1024);
      assert.match(String(identity.headers.vary), /Accept-Encoding/);

      const br = await read(url, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.match(String(br.headers.vary), /Accept-Encoding/);
      assert.equal(String(brotliDecompressSync(br.rawPayload)), identity.body);
      assert.ok(br.rawPayload.length < Buffer.byteLength(identity.body) / 3);

      const gzip = await read(url, { 'accept-encoding': 'gzip' });
      assert.equal(gzip.headers['content-encoding'], 'gzip');
      assert.equal(String(gunzipSync(gzip.rawPayload)), identity.body);
      assert.equal(gzip.headers['x-total-count'], identity.headers['x-total-count']);
    });

    it('gives each coding its own strong ETag, and a 304 only for the representation asked for', async () => {
      const url = '/api/products?q=packed';
      const identity = await shop.get(url);
      const etag = String(identity.headers.etag);
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
      const br = await shop.get(url, { 'accept-encoding': 'br' });
      assert.equal(br.headers.etag, etag.replace(/"$/, '-br"'));
      const notModified = await shop.get(url, {
        'accept-encoding': 'br',
        'if-none-match': String(br.headers.etag),
      });
      assert.equal(notModified.statusCode, 304);
      assert.equal(notModified.headers.etag, br.headers.etag);
      // The client's copy is br; it now asks for gzip: a different representation, so a 200.
      const gzip = await shop.get(url, {
        'accept-encoding': 'gzip',
        'if-none-match': String(br.headers.etag),
      });
      assert.equal(gzip.statusCode, 200);
      assert.equal(gzip.headers['content-encoding'], 'gzip');
      assert.equal(gzip.headers.etag, etag.replace(/"$/, '-gzip"'));
    });

    it('compresses the OpenAPI document and problems, not small bodies', async () => {
      const spec = await t.request({
        method: 'GET',
        url: '/api/openapi.json',
        headers: { 'accept-encoding': 'br' },
      });
      assert.equal(spec.headers['content-encoding'], 'br');
      JSON.parse(String(brotliDecompressSync(spec.rawPayload)));
      const health = await t.request({ method: 'GET', url: '/health', headers: { 'accept-encoding': 'br' } });
      assert.equal(health.headers['content-encoding'], undefined);
      assert.deepEqual(health.json(), { status: 'ok' });
    });
  });
}
