import type { Clock } from '../../lib/clock.js';
import type { CatalogFreshness } from './freshness.js';

/** An answer as sent, and what it needs to be sent again. */
export interface Answer {
  body: Buffer;
  /** A page's X-Total-Count, for answers that carry one. */
  total?: number;
}

interface Entry<A extends Answer> {
  answer: A;
  /** The catalog version the answer was computed at. */
  catalog: string;
  /** Epoch ms: the next offer boundary, or the catalog's longest reuse. */
  until: number;
}

export interface KeptAnswersOptions {
  /** Bytes of answers kept (least recently read out first). */
  maxBytes: number;
  freshness: CatalogFreshness;
  clock: Clock;
}

/**
 * Signed-in answers (a cart, a page of orders) kept as sent, under a byte budget, and sent again
 * while nothing they show has changed: they follow CatalogFreshness (every write to the tables
 * CATALOG_TABLES lists, in this process at the statement, in others through NOTIFY or SQLite's
 * data_version), the next offer boundary and the catalog's longest reuse. What else an answer
 * follows is its owner's: forget() after a commit, or `reliable` false while that is not heard.
 */
export class KeptAnswers<K, A extends Answer> {
  private readonly entries = new Map<K, Entry<A>>();
  private bytes = 0;
  /** Advanced by every invalidation: an answer computed across one is not stored. */
  private generation = 0;

  constructor(private readonly options: KeptAnswersOptions) {}

  /** False while some change to what the answers show could go unheard: nothing is kept or reused. */
  protected get reliable(): boolean {
    return true;
  }

  /** The kept answer under `key`, else `compute`'s, kept when it says it may be. */
  async answer(key: K, compute: () => Promise<{ answer: A; keep: boolean }>): Promise<A> {
    const { freshness, clock } = this.options;
    const catalog = this.reliable ? freshness.current() : undefined;
    if (catalog === undefined) return (await compute()).answer;
    const hit = this.entries.get(key);
    if (hit && hit.catalog === catalog && hit.until > clock.now().getTime()) {
      this.entries.delete(key); // re-inserted: the Map's order is least recently read first
      this.entries.set(key, hit);
      return hit.answer;
    }
    const generation = this.generation;
    const { answer, keep } = await compute();
    if (!keep || answer.body.length > this.options.maxBytes) return answer;
    const until = await freshness.validUntil();
    if (generation === this.generation && this.reliable && freshness.unchangedSince(catalog))
      this.store(key, { answer, catalog, until });
    return answer;
  }

  private store(key: K, entry: Entry<A>): void {
    this.drop(key);
    this.entries.set(key, entry);
    this.bytes += entry.answer.body.length;
    for (const [oldest, { answer }] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= answer.body.length;
    }
  }

  private drop(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.answer.body.length;
  }

  /** What the answer under `key` shows changed (called after the write's commit). */
  forget(key: K): void {
    this.generation += 1;
    this.drop(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.bytes = 0;
  }
}

/** What a service with or without kept answers gives: `store`'s answer under `key`, or `compute`'s. */
export async function keptOrComputed<K, A extends Answer>(
  store: KeptAnswers<K, A> | undefined,
  key: K,
  compute: () => Promise<{ answer: A; keep: boolean }>,
): Promise<A> {
  return store ? store.answer(key, compute) : (await compute()).answer;
}
