/** Retries go on for about three days after the event, then the delivery is failed. */
export const RETRY_WINDOW_MS = 3 * 86_400_000;

const FIRST_RETRY_MS = 15_000;
const LONGEST_WAIT_MS = 8 * 3_600_000;

/**
 * The wait after `attempts` failed attempts: 15 s, 30 s, 1 min … doubling up to 8 h (about 19
 * attempts in three days), with "equal jitter" (half fixed, half random) so that endpoints that
 * failed together do not all retry at the same instant.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(LONGEST_WAIT_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
