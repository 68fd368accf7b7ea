import type { AppContext } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { AppError, invalidField, notFound } from '../../lib/errors.js';
import { toAmount } from '../../lib/money.js';
import { priceProduct } from '../../lib/pricing.js';
import type { Product } from '../products/products.schemas.js';
import {
  addToLine,
  clearCart,
  findLine,
  listLines,
  pricingRowsById,
  removeLines,
  setLineQuantity,
} from './cart.repository.js';
import {
  type AddToCartBody,
  type Cart,
  type CartLine,
  type CartNotice,
  MAX_LINE_QUANTITY,
} from './cart.schemas.js';

/** The catalog's product JSON, as the cart shows it inside each line. */
export interface ProductReader {
  getMany(db: Executor, ids: number[]): Promise<Map<number, Product>>;
}

export function insufficientStock(productId: number, requested: number, available: number, inCart = 0) {
  const detail =
    inCart > 0
      ? `Only ${available} of product ${productId} available and your cart already holds ${inCart}`
      : `Only ${available} of product ${productId} available`;
  return new AppError(409, 'insufficient_stock', detail, {
    product_id: productId,
    requested,
    available,
    in_cart: inCart,
  });
}

export class CartService {
  constructor(
    private readonly ctx: AppContext,
    private readonly products: ProductReader,
  ) {}

  /**
   * The cart priced now. Lines whose product was withdrawn (archived) leave the cart here and are
   * reported once in `notices`; checkout would refuse them anyway.
   */
  async view(userId: number): Promise<Cart> {
    const { db } = this.ctx;
    const lines = await listLines(db, userId);
    const ids = lines.map((l) => l.product_id);
    const [rows, products] = await Promise.all([pricingRowsById(db, ids), this.products.getMany(db, ids)]);
    const now = this.ctx.clock.now();
    const notices: CartNotice[] = [];
    const gone: number[] = [];
    const items: CartLine[] = [];
    let subtotal = 0;
    let discountTotal = 0;
    let itemCount = 0;
    for (const line of lines) {
      const row = rows.get(line.product_id);
      const product = products.get(line.product_id);
      if (!row || row.archived_at !== null || !product) {
        gone.push(line.product_id);
        notices.push({
          product_id: line.product_id,
          code: 'product_unavailable',
          message: `${row?.name ?? `Product ${line.product_id}`} is no longer sold and was removed from your cart`,
        });
        continue;
      }
      if (line.quantity > row.stock) {
        notices.push({
          product_id: line.product_id,
          code: 'insufficient_stock',
          message: `Only ${row.stock} of ${row.name} in stock; lower the quantity to check out`,
          available: row.stock,
        });
      }
      const price = priceProduct(row.price_cents, row.offer, now);
      subtotal += price.originalPrice * line.quantity;
      discountTotal += price.discount * line.quantity;
      itemCount += line.quantity;
      items.push({
        id: line.id,
        product_id: line.product_id,
        product,
        quantity: line.quantity,
        unit_price: toAmount(price.unitPrice),
        line_total: toAmount(price.unitPrice * line.quantity),
      });
    }
    await removeLines(db, userId, gone);
    return {
      items,
      item_count: itemCount,
      subtotal: toAmount(subtotal),
      discount_total: toAmount(discountTotal),
      grand_total: toAmount(subtotal - discountTotal),
      notices,
    };
  }

  /**
   * Adds to the product's line. The stock check counts what the cart already holds; it is advice
   * for the shopper, not a reservation: checkout takes the stock atomically.
   */
  async add(userId: number, input: AddToCartBody): Promise<Cart> {
    const quantity = input.quantity ?? 1;
    await this.ctx.db.transaction().execute(async (trx) => {
      const row = (await pricingRowsById(trx, [input.product_id])).get(input.product_id);
      if (!row || row.archived_at !== null) throw notFound('Product');
      const inCart = (await findLine(trx, userId, input.product_id))?.quantity ?? 0;
      if (inCart + quantity > MAX_LINE_QUANTITY) {
        throw invalidField('/quantity', `would make the line ${inCart + quantity}; a line holds at most 999`);
      }
      if (inCart + quantity > row.stock) throw insufficientStock(row.id, quantity, row.stock, inCart);
      await addToLine(trx, userId, input.product_id, quantity, this.ctx.clock.now().toISOString());
    });
    return this.view(userId);
  }

  /** Sets a line's quantity; 0 removes it. */
  async update(userId: number, productId: number, quantity: number): Promise<Cart> {
    if (quantity === 0) {
      await this.remove(userId, productId);
      return this.view(userId);
    }
    const { db } = this.ctx;
    if (!(await findLine(db, userId, productId))) throw notFound('Cart item');
    const row = (await pricingRowsById(db, [productId])).get(productId);
    if (row && row.archived_at === null && quantity > row.stock) {
      throw insufficientStock(productId, quantity, row.stock);
    }
    await setLineQuantity(db, userId, productId, quantity, this.ctx.clock.now().toISOString());
    return this.view(userId);
  }

  async remove(userId: number, productId: number): Promise<void> {
    if ((await removeLines(this.ctx.db, userId, [productId])) === 0) throw notFound('Cart item');
  }

  async clear(userId: number): Promise<void> {
    await clearCart(this.ctx.db, userId);
  }
}
