import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createDatabase } from '../../src/db/connect.js';
import type { Db } from '../../src/db/database.js';
import { migratorFor, setupDatabase } from '../../src/db/migrate.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { Storage } from '../../src/modules/media/storage.js';
import { type TestDialect, testPostgresUrl } from './env.js';

export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A PostgreSQL URL whose connections use a fresh schema of their own. */
export async function createPostgresSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = testPostgresUrl();
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/**
 * A migrated, seeded database: SQLite in memory (or a temp file), or a fresh PostgreSQL schema.
 * With `migrateTo`, only migrated up to that migration and not seeded (the store as it was then).
 */
export async function createTestDatabase(
  dialect: TestDialect,
  options: { file?: boolean; migrateTo?: string } = {},
): Promise<TestDatabase> {
  let url: string;
  let dropSchema = async () => {};
  let dir: string | undefined;
  if (dialect === 'postgres') {
    const schema = await createPostgresSchema();
    url = schema.url;
    dropSchema = schema.drop;
  } else if (options.file) {
    dir = mkdtempSync(join(tmpdir(), 'mercato-db-'));
    url = `sqlite:${join(dir, 'test.db')}`;
  } else {
    url = 'sqlite::memory:';
  }
  const config = testConfig({ DATABASE_URL: url });
  const db = createDatabase(config.database);
  if (options.migrateTo === undefined) await setupDatabase(db, config);
  else {
    const { error } = await (await migratorFor(db)).migrateTo(options.migrateTo);
    if (error) throw error;
  }
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await dropSchema();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    ADMIN_PASSWORD,
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    ...env,
  });
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  clock: ManualClock;
  dialect: TestDialect;
  uploadDir: string;
  databaseUrl: string;
  /** inject() with a bearer token and JSON body. */
  request(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  /** A fresh customer (unique username) and its access token. */
  customer(prefix?: string): Promise<{ id: number; username: string; password: string; token: string }>;
  adminToken(): Promise<string>;
  close(): Promise<void>;
}

let sequence = 0;

export async function buildTestApp(
  dialect: TestDialect,
  options: {
    env?: Record<string, string>;
    clock?: ManualClock;
    file?: boolean;
    logStream?: NodeJS.WritableStream;
    /** A storage driver over the test's upload directory (e.g. one that injects failures). */
    storage?: (uploadDir: string) => Storage;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(dialect, { file: options.file });
  const uploadDir = mkdtempSync(join(tmpdir(), 'mercato-uploads-'));
  const clock = options.clock ?? new ManualClock(new Date());
  const config = testConfig({ DATABASE_URL: database.url, UPLOAD_DIR: uploadDir, ...options.env });
  const app = await buildApp(config, {
    db: database.db,
    clock,
    logStream: options.logStream,
    storage: options.storage?.(uploadDir),
  });
  await app.ready();

  const request: TestApp['request'] = ({ token, headers, ...rest }) =>
    app.inject({ ...rest, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  let adminToken: string | undefined;
  const login = async (username: string, password: string) => {
    const res = await request({ method: 'POST', url: '/api/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return res.json().access_token as string;
  };

  return {
    app,
    db: database.db,
    clock,
    dialect,
    uploadDir,
    databaseUrl: database.url,
    request,
    async customer(prefix = 'user') {
      sequence += 1;
      const username = `${prefix}${process.pid}_${sequence}`;
      const password = 'correct-horse-1';
      const res = await request({ method: 'POST', url: '/api/register', payload: { username, password } });
      if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
      return { id: res.json().user.id, username, password, token: await login(username, password) };
    },
    async adminToken() {
      adminToken ??= await login('admin', ADMIN_PASSWORD);
      return adminToken;
    },
    async close() {
      await app.close();
      await database.drop();
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}
