import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ConfigError } from '../config.js';

/**
 * A PostgreSQL server that does not answer (down, firewalled, failing over) fails a connection
 * attempt after this long instead of holding the request; the answer is then a 503. The pool applies
 * the same bound to a request waiting for a free connection (overload also becomes a 503).
 */
export const PG_CONNECT_TIMEOUT_MS = 5000;
const NOTIFY_PROBE_TIMEOUT_MS = 3000;

/** Connection settings shared by the pool and the sessions of their own (LISTEN, locks). */
export function pgClientOptions(connectionString: string): pg.ClientConfig {
  // keepAlive: a connection to a server that vanished without a FIN (a failed-over host, a dropped
  // network) is noticed within a minute instead of the system's default two hours.
  return {
    connectionString,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/** A connected client for a session of its own; its errors end it instead of the process. */
export async function openSession(url: string): Promise<pg.Client> {
  const client = new pg.Client(pgClientOptions(url));
  client.on('error', () => {}); // the owner sees the failure through its query or the 'end' event
  await client.connect();
  return client;
}

/**
 * Proves that `url` gives sessions that keep their state, by the property that matters: a LISTEN on
 * one connection hears a NOTIFY sent from another. A pooler in transaction mode (PgBouncer's usual
 * setting) hands the LISTEN's server connection to someone else after the statement, so the
 * notification never arrives; then cross-process cache invalidation would silently fail (stale prices)
 * and session advisory locks would leak, so the process refuses to start.
 */
export async function assertOwnSession(url: string, variable: string): Promise<void> {
  const listener = await openSession(url);
  const sender = await openSession(url).catch(async (error) => {
    await listener.end().catch(() => {});
    throw error;
  });
  const channel = `mercato_probe_${randomBytes(6).toString('hex')}`;
  try {
    await listener.query(`listen ${channel}`);
    const heard = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), NOTIFY_PROBE_TIMEOUT_MS);
      listener.on('notification', (message) => {
        if (message.channel !== channel) return;
        clearTimeout(timer);
        resolve(true);
      });
    });
    await sender.query('select pg_notify($1, $2)', [channel, 'probe']);
    if (await heard) return;
  } finally {
    await Promise.all([listener.end().catch(() => {}), sender.end().catch(() => {})]);
  }
  const fix =
    variable === 'DATABASE_URL'
      ? 'set DATABASE_DIRECT_URL to a URL that reaches PostgreSQL directly (or a session-mode pool)'
      : 'point DATABASE_DIRECT_URL at PostgreSQL itself or a session-mode pool';
  throw new ConfigError(
    'DATABASE_DIRECT_URL',
    `is needed: ${variable} does not keep a session of its own (a LISTEN on it missed a NOTIFY sent from another connection; ` +
      'a pooler such as PgBouncer in transaction mode?). Other processes’ catalog changes would go unnoticed and the ' +
      `cache would serve stale data; ${fix}.`,
  );
}

/**
 * Runs `work` holding a PostgreSQL session advisory lock, taken on a session of its own (never a
 * pooled connection: through a transaction-mode pooler the lock would stay on a server connection
 * someone else gets next, and the unlock would go elsewhere).
 */
export async function withAdvisoryLock<T>(url: string, key: number, work: () => Promise<T>): Promise<T> {
  const session = await openSession(url);
  try {
    await session.query('select pg_advisory_lock($1)', [key]);
    return await work();
  } finally {
    // Ending the session releases the lock even when the unlock cannot be sent.
    await session.end().catch(() => {});
  }
}
