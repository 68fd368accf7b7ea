import { invalidField } from './errors.js';

/** Integer minor units (cents). Every amount in Mercato is one of these; floats never hold money. */
export type Cents = number;

export const MAX_CENTS: Cents = 9_999_999_999; // 99,999,999.99

// JSON numbers reach us as doubles; String(n) is the shortest text that reads back as the same
// double, i.e. the decimal the client wrote (for ≤ 15 significant digits). We parse that text,
// never multiply the double by 100 (0.29 * 100 = 28.999999999999996).
const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$/;

export function parseMoney(value: number, path: string): Cents {
  const text = String(value);
  const match = DECIMAL.exec(text);
  if (!match) {
    if (value < 0) throw invalidField(path, 'must not be negative');
    throw invalidField(path, 'must be an amount with at most two decimals, e.g. 19.99');
  }
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (cents > MAX_CENTS) throw invalidField(path, 'must not exceed 99999999.99');
  return cents;
}

/** Cents to a JSON number with two decimals' meaning: 1999 → 19.99 (exact as a decimal literal). */
export function toAmount(cents: Cents): number {
  return cents / 100;
}

export function formatMoney(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Percentages travel as basis points (15.5% → 1550) so they too are exact integers. */
export type BasisPoints = number;

export function parsePercent(value: number, path: string): BasisPoints {
  const match = DECIMAL.exec(String(value));
  if (!match) throw invalidField(path, 'must be a percentage with at most two decimals');
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

export const percentFromBasisPoints = (bp: BasisPoints): number => bp / 100;
