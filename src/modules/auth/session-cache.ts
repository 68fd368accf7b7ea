import { dataVersionOf } from '../../db/connect.js';
import type { Db } from '../../db/database.js';
import { keepListening } from '../../plugins/catalog-cache/change-tracker.js';
import { SESSION_CHANNEL } from '../users/users.repository.js';

/**
 * A safety net only: the writes that end a session (password change, role change, deletion)
 * invalidate at once, in every process; this bounds how long an invalidation that went missing
 * anyway could matter.
 */
export const SESSION_CACHE_TTL_MS = 30_000;

/** What the access-token check needs of a user; null for an account that no longer exists (ids are never reused). */
export type SessionRecord = { tokenVersion: number; isAdmin: boolean } | null;

interface Entry {
  record: SessionRecord;
  expiresAt: number;
}

export interface SessionCacheOptions {
  maxEntries: number;
  db: Db;
  /** PostgreSQL: where the LISTEN session is opened; undefined for SQLite. */
  sessionUrl: string | undefined;
  onLost?: (error: Error | undefined) => void;
}

/**
 * The session check of signed-in requests, served from memory: user id → token version and role,
 * bounded (least recently used first out) and short-lived. Never trusted beyond what tells it of
 * other processes' writes:
 * - PostgreSQL: a trigger on users NOTIFYs the user's id on commit; a LISTEN session of this
 *   process forgets that entry. While that session is down (and until it is back) every check reads
 *   the database, and the cache starts empty again: stale is worse than slow.
 * - SQLite: PRAGMA data_version changes when another connection (a cluster worker, the create-admin
 *   CLI) commits anything; then the whole cache is dropped. Checked before every lookup: one pragma
 *   on a prepared statement, no table read.
 * Writes of this process call forget() after their commit.
 */
export class SessionCache {
  private readonly entries = new Map<number, Entry>();
  /** Advanced by every invalidation: a load that began before one is not stored. */
  private generation = 0;
  private readonly source: { readonly reliable: boolean; refresh(): void; close(): Promise<void> };

  constructor(private readonly options: SessionCacheOptions) {
    if (options.sessionUrl) {
      const listening = keepListening(options.sessionUrl, SESSION_CHANNEL, {
        notify: (payload) => (/^\d+$/.test(payload) ? this.forget(Number(payload)) : this.clear()),
        reset: () => this.clear(),
        ...(options.onLost ? { onLost: options.onLost } : {}),
      });
      this.source = {
        get reliable() {
          return listening.reliable;
        },
        refresh() {},
        close: () => listening.close(),
      };
    } else {
      const read = dataVersionOf(options.db);
      if (!read) throw new Error('SQLite session cache without PRAGMA data_version');
      let seen = read();
      this.source = {
        reliable: true,
        refresh: () => {
          const current = read();
          if (current === seen) return;
          seen = current;
          this.clear();
        },
        async close() {},
      };
    }
  }

  /** Whether lookups are answered from memory right now (false while PostgreSQL's LISTEN is down). */
  get active(): boolean {
    return this.source.reliable;
  }

  async lookup(userId: number, load: () => Promise<SessionRecord>): Promise<SessionRecord> {
    if (!this.source.reliable) return load();
    this.source.refresh();
    const now = performance.now();
    const hit = this.entries.get(userId);
    if (hit && hit.expiresAt > now) {
      this.entries.delete(userId); // re-inserted: the Map's order is least recently used first
      this.entries.set(userId, hit);
      return hit.record;
    }
    const generation = this.generation;
    const record = await load();
    if (generation === this.generation && this.source.reliable) {
      this.entries.delete(userId);
      if (this.entries.size >= this.options.maxEntries)
        this.entries.delete(this.entries.keys().next().value as number);
      this.entries.set(userId, { record, expiresAt: performance.now() + SESSION_CACHE_TTL_MS });
    }
    return record;
  }

  forget(userId: number): void {
    this.generation += 1;
    this.entries.delete(userId);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
