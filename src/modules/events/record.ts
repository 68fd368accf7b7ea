import { randomBytes } from 'node:crypto';
import type { Trx } from '../../db/database.js';
import { enqueueDeliveries } from '../webhooks/outbox.js';
import { insertEvent } from './events.repository.js';
import type { EventData, EventType } from './events.schemas.js';

export interface NewEvent<T extends EventType> {
  type: T;
  data: EventData[T];
  /** When it happened (the caller's clock): the event's created_at, and when delivery falls due. */
  at: Date;
}

/**
 * Records an event in the caller's transaction (a transactional outbox): it exists, and is
 * queued for every endpoint subscribed to its type, if and only if the change commits.
 */
export async function recordEvent<T extends EventType>(trx: Trx, event: NewEvent<T>): Promise<string> {
  const id = `evt_${randomBytes(16).toString('hex')}`;
  const createdAt = event.at.toISOString();
  const seq = await insertEvent(trx, {
    id,
    type: event.type,
    data: JSON.stringify(event.data),
    created_at: createdAt,
  });
  await enqueueDeliveries(trx, { seq, type: event.type, at: event.at });
  return id;
}
