import { randomBytes } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import { type Config, sessionUrlOf } from '../config.js';
import { hashPassword } from '../modules/auth/password.js';
import { syncCartTriggers } from '../modules/cart/cart.repository.js';
import { syncSessionTriggers } from '../modules/users/users.repository.js';
import { syncCatalogTriggers } from '../plugins/catalog-cache/index.js';
import { dialectOf } from './connect.js';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';
import { assertOwnSession, withAdvisoryLock } from './sessions.js';

// The 20 categories of seed 003, created on first start.
export const SEED_CATEGORIES = [
  'Electronics',
  'Fashion',
  'Home',
  'Beauty',
  'Sports',
  'Books',
  'Toys',
  'Groceries',
  'Automotive',
  'Tools',
  'Pets',
  'Jewelry',
  'Music',
  'Movies',
  'Gaming',
  'Health',
  'Baby',
  'Office',
  'Industrial',
  'Software',
];

const ADVISORY_LOCK_KEY = 7_245_310_001; // arbitrary, constant: "mercato schema"

export interface SetupReport {
  migrated: string[];
  /** Set only when this start generated the admin password (printed once, never stored in clear). */
  generatedAdminPassword?: string;
  adminCreated: boolean;
}

type SetupConfig = Pick<Config, 'env' | 'adminUsername' | 'adminPassword' | 'database' | 'databaseDirectUrl'>;

/**
 * Migrates and seeds under a lock, so several processes starting at once on one empty database
 * (seed 003 crashed in create_all under two workers) take turns: PostgreSQL through a session
 * advisory lock, SQLite through its write lock (BEGIN IMMEDIATE, queued by the busy timeout).
 * On PostgreSQL it first makes sure the session URL really gives sessions (see assertOwnSession).
 */
export async function setupDatabase(db: Db, config: SetupConfig): Promise<SetupReport> {
  const sessionUrl = sessionUrlOf(config);
  if (dialectOf(db) === 'postgres' && sessionUrl) {
    await assertOwnSession(sessionUrl, config.databaseDirectUrl ? 'DATABASE_DIRECT_URL' : 'DATABASE_URL');
    return withAdvisoryLock(sessionUrl, ADVISORY_LOCK_KEY, () => migrateAndSeed(db, config));
  }
  return migrateAndSeed(db, config);
}

/** Kysely's migrator over our migrations, in our schema. */
export async function migratorFor(db: Db): Promise<Migrator> {
  // Kysely's PostgreSQL introspection sees every schema: without naming ours, a kysely_migration_lock
  // table in another schema of the same database (parallel test files) reads as "exists" here.
  const migrationTableSchema =
    dialectOf(db) === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await (await migratorFor(db)).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function migrateAndSeed(db: Db, config: SetupConfig): Promise<SetupReport> {
  const migrated = await migrateToLatest(db);
  if (dialectOf(db) === 'postgres') {
    await syncCatalogTriggers(db);
    await syncSessionTriggers(db);
    await syncCartTriggers(db);
  }
  const now = new Date().toISOString();
  await db
    .insertInto('categories')
    .values(
      SEED_CATEGORIES.map((name) => ({
        name,
        name_key: name.toLowerCase(),
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.column('name_key').doNothing())
    .execute();
  return { migrated, ...(await ensureAdmin(db, config)) };
}

async function ensureAdmin(
  db: Db,
  config: Pick<Config, 'env' | 'adminUsername' | 'adminPassword'>,
): Promise<Omit<SetupReport, 'migrated'>> {
  const key = config.adminUsername.toLowerCase();
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('username_key', '=', key)
    .executeTakeFirst();
  if (existing) return { adminCreated: false };
  if (!config.adminPassword && config.env === 'production') return { adminCreated: false };
  const password = config.adminPassword ?? randomBytes(12).toString('base64url');
  const now = new Date().toISOString();
  const inserted = await db
    .insertInto('users')
    .values({
      username: config.adminUsername,
      username_key: key,
      password_hash: await hashPassword(password),
      is_admin: 1,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('username_key').doNothing())
    .executeTakeFirst();
  const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  return {
    adminCreated: created,
    ...(created && !config.adminPassword ? { generatedAdminPassword: password } : {}),
  };
}
