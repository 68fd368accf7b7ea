import { sql } from 'kysely';
import { type AnyDb, schemaBuilders } from './schema.js';

/**
 * Payments, their append-only ledger, refunds, provider webhooks, shipments and the order
 * timeline. Orders gain `payment_status` (denormalized for filtering, written in the same
 * transaction as the payment) and `placed_at`: an order is shown to anyone only once its payment
 * resolved, so a declined checkout leaves no visible order.
 */
export async function up(db: AnyDb): Promise<void> {
  const { table, money } = schemaBuilders(db);

  await db.schema
    .alterTable('orders')
    .addColumn('payment_status', 'text', (c) => c.notNull().defaultTo('unpaid'))
    .execute();
  await db.schema.alterTable('orders').addColumn('placed_at', 'text').execute();
  // Orders from before payments existed were placed when they were created.
  await db.updateTable('orders').set({ placed_at: sql`created_at` }).execute();
  await db.schema
    .createIndex('orders_payment_status_idx')
    .on('orders')
    .columns(['payment_status', 'id'])
    .execute();

  await table('payments')
    .addColumn('order_id', 'integer', (c) => c.notNull().unique().references('orders.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_cents', money, (c) => c.notNull().check(sql`amount_cents >= 0`))
    .addColumn('provider_reference', 'text')
    .addColumn('next_action_url', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    // A provider call in flight (capture, void): claimed by a conditional update so only one runs.
    .addColumn('operation', 'text')
    .addColumn('operation_started_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('payments_provider_reference_key', ['provider', 'provider_reference'])
    .execute();

  await table('payment_events')
    .addColumn('payment_id', 'integer', (c) => c.notNull().references('payments.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('amount_cents', money, (c) => c.notNull().check(sql`amount_cents >= 0`))
    .addColumn('provider_reference', 'text')
    // What happened, once: "authorized:12", "captured:12", "refunded:r7". A second try is a no-op.
    .addColumn('event_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('payment_events_payment_idx')
    .on('payment_events')
    .columns(['payment_id', 'id'])
    .execute();

  await table('refunds')
    .addColumn('payment_id', 'integer', (c) => c.notNull().references('payments.id').onDelete('cascade'))
    .addColumn('amount_cents', money, (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('provider_reference', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('refunds_payment_key', ['payment_id', 'idempotency_key'])
    .execute();

  await table('payment_webhook_events')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text')
    .addUniqueConstraint('payment_webhook_events_event_key', ['provider', 'event_id'])
    .execute();
  // The periodic sweep reads the events not applied yet: few, whatever the table's size.
  await db.schema
    .createIndex('payment_webhook_events_unapplied_idx')
    .on('payment_webhook_events')
    .column('id')
    .where(sql.ref('applied_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('payment_webhook_events_reference_idx')
    .on('payment_webhook_events')
    .columns(['provider', 'reference'])
    .execute();

  await table('shipments')
    .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('tracking_number', 'text', (c) => c.notNull())
    .addColumn('tracking_url', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('shipments_order_idx').on('shipments').column('order_id').execute();

  await table('order_events')
    .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('order_events_order_idx')
    .on('order_events')
    .columns(['order_id', 'id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const name of [
    'order_events',
    'shipments',
    'payment_webhook_events',
    'refunds',
    'payment_events',
    'payments',
  ]) {
    await db.schema.dropTable(name).ifExists().execute();
  }
  await db.schema.dropIndex('orders_payment_status_idx').ifExists().execute();
  await db.schema.alterTable('orders').dropColumn('placed_at').execute();
  await db.schema.alterTable('orders').dropColumn('payment_status').execute();
}
