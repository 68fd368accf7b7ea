import type { Trx } from '../../db/database.js';
import { RETRY_WINDOW_MS } from './backoff.js';
import { insertDeliveries } from './deliveries.repository.js';

/** The webhook side of recording an event: one pending delivery per subscribed endpoint, due at once. */
export async function enqueueDeliveries(trx: Trx, event: { seq: number; type: string; at: Date }) {
  const retryUntil = new Date(event.at.getTime() + RETRY_WINDOW_MS).toISOString();
  await insertDeliveries(trx, event, event.at.toISOString(), retryUntil);
}
