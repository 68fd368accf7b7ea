// Writes .br and .gz next to each text file of the admin build, once, at maximum compression, so
// the server sends them as they are (@fastify/static preCompressed) and never compresses per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('../dist/admin/', import.meta.url).pathname;
const TEXT = /\.(?:js|css|html|svg|json|txt)$/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (TEXT.test(name)) yield path;
  }
}

let raw = 0;
let gz = 0;
let br = 0;
for (const path of files(root)) {
  const bytes = readFileSync(path);
  const gzipped = gzipSync(bytes, { level: 9 });
  const brotlied = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  writeFileSync(`${path}.gz`, gzipped);
  writeFileSync(`${path}.br`, brotlied);
  raw += bytes.length;
  gz += gzipped.length;
  br += brotlied.length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`admin app: ${kb(raw)} raw, ${kb(gz)} gzip, ${kb(br)} brotli`);
