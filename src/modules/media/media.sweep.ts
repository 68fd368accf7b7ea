import type { Db } from '../../db/database.js';
import { referencedKeys } from './media.repository.js';
import type { Storage } from './storage.js';

/** Files younger than this may belong to an upload whose transaction is still running. */
export const SWEEP_GRACE_MS = 60 * 60 * 1000;
const BATCH = 500;

/**
 * Removes stored files that no media row references and that are older than the grace period.
 * Requests never leave such files (a failed one removes what it wrote); a process killed between
 * writing the files and committing the row can, and this is how they go.
 */
export async function sweepOrphanFiles(
  db: Db,
  storage: Storage,
  now: Date,
  graceMs = SWEEP_GRACE_MS,
): Promise<{ checked: number; removed: string[] }> {
  if (!storage.list) throw new Error('This storage driver cannot list its files; sweep it by its own means');
  const cutoff = now.getTime() - graceMs;
  const removed: string[] = [];
  let checked = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const referenced = await referencedKeys(db, batch);
    for (const key of batch) {
      if (referenced.has(key)) continue;
      await storage.delete(key);
      removed.push(key);
    }
    batch = [];
  };
  for await (const file of storage.list()) {
    checked += 1;
    if (file.mtime.getTime() > cutoff) continue;
    batch.push(file.key);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return { checked, removed };
}
