import { createHash } from 'node:crypto';
import type { Trx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../lib/errors.js';
import { addDays } from '../../lib/time.js';
import type { CartLineRow } from '../cart/cart.repository.js';
import { deleteExpiredKeys, insertKey } from './idempotency.repository.js';
import type { CheckoutBody } from './orders.schemas.js';

const KEY_LIFETIME_DAYS = 1;

/** Another request with the same key committed first; the transaction that saw it rolled back. */
export class KeyTaken extends Error {}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

// A body without payment hashes as it did before payments existed: keys stay valid across the upgrade.
const bodyHash = (body: CheckoutBody | undefined) =>
  sha256(
    JSON.stringify({
      shipping_address: body?.shipping_address ?? null,
      ...(body?.payment
        ? { payment: { provider: body.payment.provider ?? null, token: body.payment.token ?? null } }
        : {}),
    }),
  );

const cartHash = (lines: readonly CartLineRow[]) =>
  sha256(
    lines
      .map((l) => `${l.variant_id}x${l.quantity}`)
      .sort()
      .join(','),
  );

/** What a key is bound to: "<body hash>.<cart hash>", so a retry can be told from a new request. */
export const requestHash = (body: CheckoutBody | undefined, lines: readonly CartLineRow[]) =>
  `${bodyHash(body)}.${cartHash(lines)}`;

/**
 * A retry sends the same body; its cart is either unchanged or already emptied by the first
 * request. Anything else reuses the key for a different checkout: 409.
 */
export function assertSameRequest(
  stored: string,
  body: CheckoutBody | undefined,
  lines: readonly CartLineRow[],
) {
  const [storedBody, storedCart] = stored.split('.');
  if (storedBody !== bodyHash(body) || (lines.length > 0 && storedCart !== cartHash(lines))) {
    throw new AppError(
      409,
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different checkout; use a new key for a new order',
    );
  }
}

/**
 * Claims a key inside the checkout transaction (expired ones are cleared first). A simultaneous
 * holder makes the insert wait (PostgreSQL) or run after it (SQLite); if it committed, KeyTaken.
 */
export async function claimKey(
  trx: Trx,
  userId: number,
  key: string,
  hash: string,
  now: Date,
): Promise<void> {
  const nowIso = now.toISOString();
  await deleteExpiredKeys(trx, userId, nowIso);
  try {
    await insertKey(trx, {
      user_id: userId,
      key,
      request_hash: hash,
      created_at: nowIso,
      expires_at: addDays(now, KEY_LIFETIME_DAYS).toISOString(),
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new KeyTaken();
    throw error;
  }
}
