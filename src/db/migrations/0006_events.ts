import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not today's type
type AnyDb = Kysely<any>;

/**
 * The events outbox and webhook delivery. An event row is written in the transaction of the change
 * it records, with one delivery row per subscribed endpoint; dispatchers claim due deliveries by
 * pushing next_attempt_at past a lease, so a process that dies mid-delivery lets it fall due again.
 */
export async function up(db: AnyDb): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  // SQLite's AUTOINCREMENT never reuses an id of a deleted row; PostgreSQL sequences never do.
  const serial = (name: string, key = 'id') =>
    pg
      ? db.schema.createTable(name).addColumn(key, 'serial', (c) => c.primaryKey())
      : db.schema.createTable(name).addColumn(key, 'integer', (c) => c.primaryKey().autoIncrement());

  // seq orders the log; id ("evt_…") is what receivers see and deduplicate on.
  await serial('events', 'seq')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_type_idx').on('events').columns(['type', 'seq']).execute();
  await db.schema.createIndex('events_created_idx').on('events').columns(['created_at', 'seq']).execute();

  await serial('webhook_endpoints')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('secret', 'text', (c) => c.notNull())
    // After a rotation the old secret keeps signing (a second signature) until this time.
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // One row per subscribed type ("*" for all), so the outbox fans out with one INSERT … SELECT.
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('endpoint_id', 'integer', (c) =>
      c.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_subscriptions_pk', ['endpoint_id', 'event_type'])
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_type_idx')
    .on('webhook_subscriptions')
    .column('event_type')
    .execute();

  await serial('webhook_deliveries')
    .addColumn('event_seq', 'integer', (c) => c.notNull().references('events.seq').onDelete('cascade'))
    .addColumn('endpoint_id', 'integer', (c) =>
      c.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    // Past this, a failed attempt is final (about three days after the event).
    .addColumn('retry_until', 'text', (c) => c.notNull())
    // Set by the dispatcher that claimed the delivery: only it records the outcome.
    .addColumn('claim_token', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .column('next_attempt_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_endpoint_idx')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_event_idx')
    .on('webhook_deliveries')
    .column('event_seq')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
  await db.schema.dropTable('events').execute();
}
