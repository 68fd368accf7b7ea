import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../src/db/database.js';
import type { TestApp } from './app.js';

/** A Standard Webhooks secret for the test provider, fresh per suite. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export const paymentEnv = (secret: string) => ({ PAYMENT_TEST_WEBHOOK_SECRET: secret });

/** Checkout paying with the test provider's `token`. */
export const payWith = (t: TestApp, token: string, card: string, key?: string) =>
  t.request({
    method: 'POST',
    url: '/api/checkout',
    token,
    headers: key ? { 'idempotency-key': key } : {},
    payload: { payment: { provider: 'test', token: card } },
  });

/** A test-provider webhook as the provider sends it: body and Standard Webhooks headers. */
export function signedWebhook(
  secret: string,
  event: { id?: string; type: 'payment.authorized' | 'payment.failed'; reference: string },
  options: { timestamp?: Date; signWith?: string } = {},
) {
  const id = event.id ?? `evt_${randomUUID()}`;
  const payload = JSON.stringify({ id, type: event.type, data: { reference: event.reference } });
  const timestamp = options.timestamp ?? new Date();
  return {
    payload,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(options.signWith ?? secret).sign(id, timestamp, payload),
    },
  };
}

/** Signs and delivers a test-provider webhook the way the provider would. */
export const sendWebhook = (
  t: TestApp,
  secret: string,
  event: Parameters<typeof signedWebhook>[1],
  options: Parameters<typeof signedWebhook>[2] = {},
) =>
  t.request({ method: 'POST', url: '/api/payments/webhooks/test', ...signedWebhook(secret, event, options) });

/** The ledger of a payment, oldest first: what the API's amounts are derived from. */
export const ledgerOf = (db: Db, paymentId: number) =>
  db
    .selectFrom('payment_events')
    .select(['type', 'amount_cents'])
    .where('payment_id', '=', paymentId)
    .orderBy('id')
    .execute();

/** The id the next payment will get: lets a test send a webhook before its checkout exists. */
export async function nextPaymentId(db: Db): Promise<number> {
  const row = await db
    .selectFrom('payments')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0) + 1;
}
