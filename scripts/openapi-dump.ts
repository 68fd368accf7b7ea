// Writes the OpenAPI document to a file (default tmp/openapi.json, what redocly.yaml lints)
// without a server: the app is built on an in-memory SQLite and asked through inject().
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const target = process.argv[2] ?? 'tmp/openapi.json';
const app = await buildApp(loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:' }));
try {
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /api/openapi.json answered ${res.statusCode}`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(res.json(), null, 2)}\n`);
} finally {
  await app.close();
}
