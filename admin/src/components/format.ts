/** Amounts arrive as JSON numbers with two decimals; shown in the shop's currency. */
export function money(amount: number, currency = 'USD'): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
}

export function dateTime(iso: string | null | undefined): string {
  return iso
    ? new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }) +
        ' UTC'
    : '—';
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
