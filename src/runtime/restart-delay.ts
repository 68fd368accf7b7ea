/** A worker that ran this long before dying was not crash-looping: its replacement starts at once. */
export const STABLE_MS = 30_000;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 30_000;

/**
 * How long to wait before replacing a dead worker, given how many workers in a row died within
 * STABLE_MS of starting: none → at once; then 250 ms, 500 ms, 1 s, ... up to 30 s, so a worker
 * that cannot start (a bad deploy, a missing database) does not spin the CPU.
 */
export function restartDelay(quickDeathsInARow: number): number {
  if (quickDeathsInARow <= 0) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (quickDeathsInARow - 1));
}
