import type { CreateTableBuilder, Kysely } from 'kysely';
import { dialectOf } from '../connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not today's type
export type AnyDb = Kysely<any>;

/**
 * The portable column choices every migration makes: an integer id that is never reused
 * (SQLite's AUTOINCREMENT; PostgreSQL sequences never reuse one), and bigint cents.
 */
export function schemaBuilders(db: AnyDb) {
  const pg = dialectOf(db) === 'postgres';
  return {
    table: (name: string): CreateTableBuilder<string, 'id'> =>
      pg
        ? db.schema.createTable(name).addColumn('id', 'serial', (c) => c.primaryKey())
        : db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
    money: pg ? ('bigint' as const) : ('integer' as const),
  };
}
