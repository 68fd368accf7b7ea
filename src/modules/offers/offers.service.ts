import type { AppContext } from '../../context.js';
import { invalidField, notFound } from '../../lib/errors.js';
import { parsePercent, percentFromBasisPoints } from '../../lib/money.js';
import type { Page, Paged } from '../../lib/pagination.js';
import { isOfferActive } from '../../lib/pricing.js';
import { parseInstant } from '../../lib/time.js';
import { recordEvent } from '../events/record.js';
import type { Product } from '../products/products.schemas.js';
import { archivedProduct, type ProductsService } from '../products/products.service.js';
import {
  deleteOffer,
  findOfferRow,
  findOfferTarget,
  insertOffer,
  listOfferRows,
  type OfferRow,
  productIdsByOffer,
  setProductOffer,
  updateOffer,
} from './offers.repository.js';
import type { CreateOfferBody, Offer, UpdateOfferBody } from './offers.schemas.js';

export class OffersService {
  constructor(
    private readonly ctx: AppContext,
    private readonly products: ProductsService,
  ) {}

  private toOffer(row: OfferRow, productIds: number[]): Offer {
    return {
      id: row.id,
      name: row.name,
      discount_percent: percentFromBasisPoints(row.discount_bp),
      start_time: row.start_time,
      end_time: row.end_time,
      is_active: isOfferActive(row, this.ctx.clock.now()),
      product_ids: productIds,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  async get(id: number): Promise<Offer> {
    const row = await findOfferRow(this.ctx.db, id);
    if (!row) throw notFound('Offer');
    return this.toOffer(row, (await productIdsByOffer(this.ctx.db, [id])).get(id) ?? []);
  }

  async list(page: Page): Promise<Paged<Offer>> {
    const { items, total } = await listOfferRows(this.ctx.db, page.limit, page.offset);
    const ids = await productIdsByOffer(
      this.ctx.db,
      items.map((row) => row.id),
    );
    return { items: items.map((row) => this.toOffer(row, ids.get(row.id) ?? [])), total };
  }

  /** Products on an offer that is active now, public (seed 003's /offers/active). */
  active(page: Page): Promise<Paged<Product>> {
    return this.products.list({ ...page, activeOfferOnly: true });
  }

  async create(input: CreateOfferBody): Promise<Offer> {
    const window = checkWindow(input.start_time, input.end_time);
    const now = this.ctx.clock.now().toISOString();
    const id = await insertOffer(this.ctx.db, {
      name: input.name,
      discount_bp: discount(input.discount_percent),
      ...window,
      created_at: now,
      updated_at: now,
    });
    return this.get(id);
  }

  async update(id: number, input: UpdateOfferBody): Promise<Offer> {
    await this.ctx.db.transaction().execute(async (trx) => {
      const row = await findOfferRow(trx, id);
      if (!row) throw notFound('Offer');
      const start =
        input.start_time === undefined ? row.start_time : parseInstant(input.start_time, '/start_time');
      const end = input.end_time === undefined ? row.end_time : parseInstant(input.end_time, '/end_time');
      if (end <= start) throw invalidField('/end_time', 'must be after start_time');
      await updateOffer(trx, id, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.discount_percent !== undefined && { discount_bp: discount(input.discount_percent) }),
        start_time: start,
        end_time: end,
        updated_at: this.ctx.clock.now().toISOString(),
      });
    });
    return this.get(id);
  }

  /** Its products are detached and go back to full price. */
  async remove(id: number): Promise<void> {
    const now = this.ctx.clock.now().toISOString();
    await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await findOfferRow(trx, id))) throw notFound('Offer');
      await deleteOffer(trx, id, now);
    });
  }

  /** Puts a product on an offer, replacing any offer it had (a product has at most one). */
  async apply(offerId: number, productId: number): Promise<{ message: string }> {
    await this.ctx.db.transaction().execute(async (trx) => {
      const offer = await findOfferRow(trx, offerId);
      if (!offer) throw notFound('Offer');
      const product = await findOfferTarget(trx, productId);
      if (!product) throw notFound('Product');
      if (product.archived_at !== null) throw archivedProduct();
      const at = this.ctx.clock.now();
      await setProductOffer(trx, productId, offerId, at.toISOString());
      const updated = await this.products.inTransaction(trx, productId);
      await recordEvent(trx, { type: 'product.updated', data: updated, at });
    });
    return { message: `Offer ${offerId} applied to product ${productId}` };
  }
}

function discount(percent: number): number {
  // The schema bounds the number; parsePercent refuses a third decimal (12.345%).
  return parsePercent(percent, '/discount_percent');
}

function checkWindow(startTime: string, endTime: string) {
  const start_time = parseInstant(startTime, '/start_time');
  const end_time = parseInstant(endTime, '/end_time');
  if (end_time <= start_time) throw invalidField('/end_time', 'must be after start_time');
  return { start_time, end_time };
}
