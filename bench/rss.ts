import { readFileSync } from 'node:fs';

function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0; // the process has just exited
  }
}

/** `pid` and every process it started (the cluster primary's workers), read from /proc. */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    // exited
  }
  return [pid, ...children.flatMap(processTree)];
}

/** The largest resident set of one process of the server's tree: the budget is per worker. */
export function largestRss(pid: number): number {
  return Math.max(0, ...processTree(pid).map(rssOf));
}

/** Samples the server's largest per-process RSS every 100 ms while `work` runs; returns both. */
export async function withPeakRss<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peakRss: number }> {
  let peakRss = largestRss(pid);
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, largestRss(pid));
  }, 100);
  try {
    const result = await work();
    return { result, peakRss: Math.max(peakRss, largestRss(pid)) };
  } finally {
    clearInterval(timer);
  }
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function cpuSecondsOfProcess(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) the server's processes have used: a figure other load on the machine does not skew. */
export function cpuSecondsOf(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + cpuSecondsOfProcess(p), 0);
}
