import { keepListening, type Listening } from '../../plugins/catalog-cache/change-tracker.js';
import {
  type Answer,
  KeptAnswers,
  type KeptAnswersOptions,
} from '../../plugins/catalog-cache/kept-answers.js';
import { CART_CHANNEL } from './cart.repository.js';

export interface CartAnswersOptions extends KeptAnswersOptions {
  /** PostgreSQL: where the LISTEN session is opened; undefined for SQLite. */
  sessionUrl: string | undefined;
  onLost?: (error: Error | undefined) => void;
}

/**
 * Each signed-in user's `GET /api/cart` answer, as sent, kept until something it shows changes:
 * - the catalog, offers and time, as every KeptAnswers (on SQLite any other connection's commit
 *   advances the catalog version through data_version, so it drops every answer);
 * - the user's cart lines: this process's cart writes call forget() after their commit;
 *   PostgreSQL also NOTIFYs the user's id on every change to cart_items, whoever writes, and
 *   while that LISTEN is down nothing is kept or reused.
 * Answers with notices are never kept: those report a change once.
 */
export class CartAnswers extends KeptAnswers<number, Answer> {
  private readonly listening: Listening | undefined;

  constructor(options: CartAnswersOptions) {
    super(options);
    if (options.sessionUrl) {
      this.listening = keepListening(options.sessionUrl, CART_CHANNEL, {
        notify: (payload) => (/^\d+$/.test(payload) ? this.forget(Number(payload)) : this.clear()),
        reset: () => this.clear(),
        ...(options.onLost ? { onLost: options.onLost } : {}),
      });
    }
  }

  protected override get reliable(): boolean {
    return this.listening?.reliable ?? true;
  }

  async close(): Promise<void> {
    await this.listening?.close();
  }
}
