import type { Clock } from '../../lib/clock.js';
import { keepListening, type Listening } from '../../plugins/catalog-cache/change-tracker.js';
import type { CatalogFreshness } from '../../plugins/catalog-cache/freshness.js';
import { CART_CHANNEL } from './cart.repository.js';

interface Entry {
  body: Buffer;
  /** The catalog version the answer was computed at. */
  catalog: string;
  /** Epoch ms: the next offer boundary, or the catalog's longest reuse. */
  until: number;
}

export interface CartAnswersOptions {
  /** Bytes of stored answers kept (least recently read out first). */
  maxBytes: number;
  freshness: CatalogFreshness;
  clock: Clock;
  /** PostgreSQL: where the LISTEN session is opened; undefined for SQLite. */
  sessionUrl: string | undefined;
  onLost?: (error: Error | undefined) => void;
}

/**
 * Each signed-in user's `GET /api/cart` answer, as sent, kept until something it shows changes:
 * - the user's cart lines: this process's cart writes call forget() after their commit; PostgreSQL
 *   also NOTIFYs the user's id on every change to cart_items, whoever writes, and while that LISTEN
 *   is down nothing is stored or reused;
 * - the catalog (prices, stock, offers, archiving), followed through CatalogFreshness, which also
 *   advances when another connection commits to the SQLite file (PRAGMA data_version), so on SQLite
 *   any outside write drops every answer;
 * - time: the next offer start or end, and at most the catalog's longest reuse.
 * Answers with notices are never kept: those report a change once.
 */
export class CartAnswers {
  private readonly entries = new Map<number, Entry>();
  private bytes = 0;
  /** Advanced by every invalidation: an answer computed across one is not stored. */
  private generation = 0;
  private readonly listening: Listening | undefined;

  constructor(private readonly options: CartAnswersOptions) {
    if (options.sessionUrl) {
      this.listening = keepListening(options.sessionUrl, CART_CHANNEL, {
        notify: (payload) => (/^\d+$/.test(payload) ? this.forget(Number(payload)) : this.clear()),
        reset: () => this.clear(),
        ...(options.onLost ? { onLost: options.onLost } : {}),
      });
    }
  }

  private get reliable(): boolean {
    return this.listening?.reliable ?? true;
  }

  /** The stored answer of `userId`'s cart, else `compute`'s, stored when `keep` says it may be. */
  async answer(userId: number, compute: () => Promise<{ body: Buffer; keep: boolean }>): Promise<Buffer> {
    const { freshness, clock } = this.options;
    const catalog = this.reliable ? freshness.current() : undefined;
    if (catalog === undefined) return (await compute()).body;
    const hit = this.entries.get(userId);
    if (hit && hit.catalog === catalog && hit.until > clock.now().getTime()) {
      this.entries.delete(userId); // re-inserted: the Map's order is least recently read first
      this.entries.set(userId, hit);
      return hit.body;
    }
    const generation = this.generation;
    const { body, keep } = await compute();
    if (!keep || body.length > this.options.maxBytes) return body;
    const until = await freshness.validUntil(catalog);
    if (generation === this.generation && this.reliable && freshness.unchangedSince(catalog))
      this.store(userId, { body, catalog, until });
    return body;
  }

  private store(userId: number, entry: Entry): void {
    this.drop(userId);
    this.entries.set(userId, entry);
    this.bytes += entry.body.length;
    for (const [oldest, { body }] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= body.length;
    }
  }

  private drop(userId: number): void {
    const entry = this.entries.get(userId);
    if (!entry) return;
    this.entries.delete(userId);
    this.bytes -= entry.body.length;
  }

  /** The user's cart lines changed (called after the write's commit). */
  forget(userId: number): void {
    this.generation += 1;
    this.drop(userId);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.bytes = 0;
  }

  async close(): Promise<void> {
    await this.listening?.close();
  }
}
