import type { Storage } from './storage.js';

/**
 * Removes the files of media rows whose deletion has committed. A failure here leaves an orphan
 * file, never a dangling URL, so it is logged by the caller's logger rather than thrown.
 */
export async function removeMediaFiles(
  storage: Storage,
  media: ReadonlyArray<{ storage_key: string; thumbnail_key: string }>,
): Promise<void> {
  await Promise.allSettled(
    media.flatMap((m) => [storage.delete(m.storage_key), storage.delete(m.thumbnail_key)]),
  );
}
