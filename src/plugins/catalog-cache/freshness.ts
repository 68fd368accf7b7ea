import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { nextOfferBoundary } from '../../modules/offers/offers.repository.js';
import {
  type ChangeTracker,
  changeTrackerOf,
  type ExternalChanges,
  followExternalChanges,
} from './change-tracker.js';
import type { ChangeKind } from './tracked-driver.js';

/** However quiet the catalog, nothing derived from it is kept longer than this. */
const MAX_AGE_MS = 60_000;

/**
 * When something derived from the catalog (a stored response, a product's JSON) is still what a
 * fresh read would give: while the catalog version it was computed at is current, and until the
 * next offer starts or ends (prices change with time alone). Shared by every in-memory copy of
 * catalog data in a process, so they all follow the same writes, local and external.
 */
export class CatalogFreshness {
  /** The next offer start or end, read at an offers version: only a write of offers moves it. */
  private boundary: { offers: string; at: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tracker: ChangeTracker,
    private readonly external: ExternalChanges,
  ) {}

  /**
   * The catalog version now (or the narrower version of `kind`), brought up to date with other
   * processes' writes; undefined while those could go unheard (PostgreSQL's LISTEN is down): then
   * nothing may be cached or reused.
   */
  current(kind?: ChangeKind): string | undefined {
    if (!this.external.reliable) return undefined;
    this.external.refresh();
    return this.versionOf(kind);
  }

  /** Whether nothing of `kind` (any catalog write) has changed since `version` was read (without asking SQLite again). */
  unchangedSince(version: string, kind?: ChangeKind): boolean {
    return this.external.reliable && this.versionOf(kind) === version;
  }

  private versionOf(kind: ChangeKind | undefined): string {
    return kind ? this.tracker.versionOf(kind) : this.tracker.version;
  }

  /** Until when (epoch ms) something computed now may be served. */
  async validUntil(): Promise<number> {
    const now = this.clock.now();
    const nowMs = now.getTime();
    const offers = this.tracker.versionOf('offers');
    if (!this.boundary || this.boundary.offers !== offers || this.boundary.at <= nowMs) {
      const next = await nextOfferBoundary(this.db, now.toISOString());
      const at = next ? Date.parse(next) : Number.POSITIVE_INFINITY;
      // Kept only if no offer was written while it was read.
      if (this.tracker.versionOf('offers') === offers) this.boundary = { offers, at };
      return Math.min(nowMs + MAX_AGE_MS, at);
    }
    return Math.min(nowMs + MAX_AGE_MS, this.boundary.at);
  }

  close(): Promise<void> {
    return this.external.close();
  }
}

/** The catalog freshness of an app's database, following other processes' writes from `sessionUrl` (PostgreSQL). */
export function openCatalogFreshness(
  db: Db,
  clock: Clock,
  sessionUrl: string | undefined,
  onLost: (error: Error | undefined) => void,
): CatalogFreshness {
  const tracker = changeTrackerOf(db);
  return new CatalogFreshness(db, clock, tracker, followExternalChanges(tracker, sessionUrl, onLost));
}
