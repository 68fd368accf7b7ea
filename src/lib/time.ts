import { invalidField } from './errors.js';

// An offset is required: a naive "2026-05-01T10:00:00" is ambiguous, and seed 003 read it as UTC.
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const NAIVE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/**
 * Parses a client timestamp into the canonical stored form (ISO 8601, UTC, milliseconds, `Z`).
 * Timestamps are stored as these strings on both databases: they sort and compare correctly as text.
 */
export function parseInstant(value: string, path: string): string {
  if (NAIVE.test(value)) {
    throw invalidField(
      path,
      'needs a UTC offset, e.g. "2026-05-01T10:00:00Z" or "2026-05-01T10:00:00+05:45"',
    );
  }
  if (!WITH_OFFSET.test(value)) {
    throw invalidField(path, 'must be an ISO 8601 timestamp with an offset, e.g. "2026-05-01T10:00:00Z"');
  }
  const date = new Date(value);
  // Date() rolls 2026-02-30 over to March 2nd; a calendar date must exist as written.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (Number.isNaN(date.getTime()) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw invalidField(path, 'is not a real date and time');
  }
  return date.toISOString();
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}
