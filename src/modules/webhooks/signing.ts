import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A Standard Webhooks secret: "whsec_" + base64 of 32 random bytes. */
export const generateSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** While a rotated-out secret is within its grace period, it signs alongside the new one. */
export const ROTATION_GRACE_MS = 86_400_000;

export interface SigningKeys {
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` (the event id, the same on every
 * retry), `webhook-timestamp` (now, in seconds) and `webhook-signature`: "v1,<base64 HMAC-SHA256
 * of id.timestamp.body>", once per live secret, separated by spaces.
 */
export function signedHeaders(
  keys: SigningKeys,
  message: { eventId: string; body: string },
  time: {
    /** The app's clock, which set the rotation's expiry. */
    now: Date;
    /** Wall-clock time for the timestamp header: receivers compare it with their own clocks. */
    signedAt: Date;
  },
): Record<string, string> {
  const secrets = [keys.secret];
  const previousLive =
    keys.previous_secret_expires_at !== null && keys.previous_secret_expires_at > time.now.toISOString();
  if (keys.previous_secret && previousLive) secrets.push(keys.previous_secret);
  const { eventId, body } = message;
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(time.signedAt.getTime() / 1000)),
    'webhook-signature': secrets
      .map((secret) => new Webhook(secret).sign(eventId, time.signedAt, body))
      .join(' '),
  };
}
