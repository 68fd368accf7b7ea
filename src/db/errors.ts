import { AppError } from '../lib/errors.js';

/** True for a unique-constraint violation on either database (SQLite or PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** How long a client should wait before retrying when the database is unreachable (Retry-After). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** What a client is told when isDatabaseUnavailable(error): a 503 to retry, not a bug. */
export const databaseUnavailable = () =>
  new AppError(503, 'service_unavailable', 'The database is temporarily unavailable; retry shortly');

// Connection-level failures: the statement never ran or its session died; retrying later is right.
// 08xxx connection exception, 57P01-03 admin/crash shutdown and "cannot connect now" (starting up,
// shutting down, recovery), 53300 too many connections.
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // SQLite: the busy timeout (10 s) ran out behind another writer; the lock frees on its own.
  'SQLITE_BUSY',
]);
// node-postgres raises these as plain Errors without a code.
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated due to connection timeout)/;

/**
 * True when a query failed because the database could not be reached or dropped the session
 * (server restart, failover, network) rather than because of the query: the answer is a 503 with
 * Retry-After, not a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_NODE_CODES.has(code)))
    return true;
  if (UNAVAILABLE_MESSAGES.test(error.message)) return true;
  // Node's happy-eyeballs connect reports every address it tried at once.
  return error instanceof AggregateError && error.errors.some(isDatabaseUnavailable);
}
