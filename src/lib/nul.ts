import { ValidationError } from './errors.js';

/** Where a NUL character sits in a parsed value (keys included), as a JSON pointer; undefined when none. */
function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '/' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}/${key}`;
    if (key.includes('\u0000')) return at;
    const found = nulPath(item, at);
    if (found) return found;
  }
  return undefined;
}

/**
 * Refuses a NUL character anywhere in client input with a 400: PostgreSQL text cannot hold one (it
 * would be a 500) and SQLite would store a string other clients truncate. REST checks every part
 * of a request with it, MCP every tool's arguments. `part` prefixes the path ("query:", ...).
 */
export function refuseNul(value: unknown, part = ''): void {
  const path = nulPath(value, '');
  if (path !== undefined)
    throw new ValidationError([{ path: `${part}${path}`, message: 'must not contain a NUL character' }]);
}
