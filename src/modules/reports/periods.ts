import type { ReportInterval } from './reports.schemas.js';

const DAY_MS = 86_400_000;

/** A `YYYY-MM-DD` date as the UTC midnight it starts at; null when it is not a real calendar date. */
export function parseUtcDate(text: string): Date | null {
  const date = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : date;
}

export const dayOf = (date: Date): string => date.toISOString().slice(0, 10);

export const addUtcDays = (date: Date, days: number): Date => new Date(date.getTime() + days * DAY_MS);

/** The first day of the period that holds `day`: itself, its ISO week's Monday, or its month's 1st. */
export function periodStart(day: Date, interval: ReportInterval): Date {
  if (interval === 'day') return day;
  if (interval === 'month') return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return addUtcDays(day, -sinceMonday);
}

function nextPeriod(start: Date, interval: ReportInterval): Date {
  if (interval === 'day') return addUtcDays(start, 1);
  if (interval === 'week') return addUtcDays(start, 7);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** Every period touching [from, to] (both inclusive days), oldest first, as their first days. */
export function periodsBetween(from: Date, to: Date, interval: ReportInterval): string[] {
  const periods: string[] = [];
  for (let start = periodStart(from, interval); start <= to; start = nextPeriod(start, interval)) {
    periods.push(dayOf(start));
  }
  return periods;
}
