import type { AppContext } from '../../context.js';
import { AppError, invalidField, notFound } from '../../lib/errors.js';
import { toAmount } from '../../lib/money.js';
import { priceVariant } from '../../lib/pricing.js';
import { keptOrComputed } from '../../plugins/catalog-cache/kept-answers.js';
import { type ProductsService, variantRequired } from '../products/products.service.js';
import { DEFAULT_VARIANT_TITLE } from '../products/variant-combination.js';
import { loadVariantPricingRows, type VariantPricingRow } from '../products/variants.repository.js';
import {
  addToLine,
  type CartLineRow,
  clearCart,
  findLine,
  findLineOfVariant,
  linesOfProduct,
  listLines,
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
import type { CartAnswers } from './cart-answers.js';

/** "Trail Jacket (Red / M)", or the product's name alone for its default variant. */
const label = (row: VariantPricingRow) =>
  row.title === DEFAULT_VARIANT_TITLE ? row.name : `${row.name} (${row.title})`;

export function insufficientStock(row: VariantPricingRow, requested: number, inCart = 0) {
  const what = row.title === DEFAULT_VARIANT_TITLE ? `product ${row.product_id}` : label(row);
  const detail =
    inCart > 0
      ? `Only ${row.stock} of ${what} available and your cart already holds ${inCart}`
      : `Only ${row.stock} of ${what} available`;
  return new AppError(409, 'insufficient_stock', detail, {
    product_id: row.product_id,
    variant_id: row.variant_id,
    requested,
    available: row.stock,
    in_cart: inCart,
  });
}

export class CartService {
  constructor(
    private readonly ctx: AppContext,
    private readonly products: ProductsService,
    private readonly answers?: CartAnswers,
  ) {}

  /**
   * The cart as `render` turns it into bytes (the HTTP answer): the stored bytes while nothing
   * they show has changed (see CartAnswers), else the cart read and rendered now.
   */
  async rendered(userId: number, render: (cart: Cart) => Buffer): Promise<Buffer> {
    const compute = async () => {
      const cart = await this.view(userId);
      return { answer: { body: render(cart) }, keep: cart.notices.length === 0 };
    };
    return (await keptOrComputed(this.answers, userId, compute)).body;
  }

  /** What a writer of cart lines elsewhere (checkout) calls once its transaction has committed. */
  linesChanged(userId: number): void {
    this.answers?.forget(userId);
  }

  /** A write of the user's cart lines; stored answers of that cart are dropped once it has committed. */
  private async changing<T>(userId: number, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.linesChanged(userId);
    }
  }

  /**
   * The cart priced now. Lines whose variant or product was withdrawn (archived) leave the cart
   * here and are reported once in `notices`; checkout would refuse them anyway.
   */
  async view(userId: number): Promise<Cart> {
    const { db } = this.ctx;
    const lines = await listLines(db, userId);
    const snapshots = await this.products.forCart(lines.map((l) => l.product_id));
    const now = this.ctx.clock.now();
    const notices: CartNotice[] = [];
    const gone: number[] = [];
    const items: CartLine[] = [];
    let subtotal = 0;
    let discountTotal = 0;
    let itemCount = 0;
    for (const line of lines) {
      const snapshot = snapshots.get(line.product_id);
      const row = snapshot?.variants.get(line.variant_id);
      const product = snapshot?.product;
      const variant = product?.variants.find((v) => v.id === line.variant_id);
      if (!row || row.archived || !product || !variant) {
        gone.push(line.id);
        const name = row ? label(row) : `Product ${line.product_id}`;
        notices.push({
          product_id: line.product_id,
          variant_id: line.variant_id,
          code: 'product_unavailable',
          message: `${name} is no longer sold and was removed from your cart`,
        });
        continue;
      }
      if (line.quantity > row.stock) {
        notices.push({
          product_id: line.product_id,
          variant_id: line.variant_id,
          code: 'insufficient_stock',
          message: `Only ${row.stock} of ${label(row)} in stock; lower the quantity to check out`,
          available: row.stock,
        });
      }
      const price = priceVariant(row.price_cents, row.offer, now);
      subtotal += price.originalPrice * line.quantity;
      discountTotal += price.discount * line.quantity;
      itemCount += line.quantity;
      items.push({
        id: line.id,
        product_id: line.product_id,
        variant_id: line.variant_id,
        variant: {
          id: variant.id,
          sku: variant.sku,
          title: variant.title,
          option_values: variant.option_values,
        },
        product,
        quantity: line.quantity,
        unit_price: toAmount(price.unitPrice),
        line_total: toAmount(price.unitPrice * line.quantity),
      });
    }
    if (gone.length > 0) await this.changing(userId, () => removeLines(db, userId, gone));
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
   * Adds to the variant's line. `variant_id` may be left out for a product with one live variant.
   * The stock check counts what the cart already holds; it is advice for the shopper, not a
   * reservation: checkout takes the stock atomically. So the variant is read from the products'
   * in-memory JSON, and the add itself is one conditional upsert: two adds at once never take a
   * line past 999 (or past the stock), and a warm add costs that one statement and the cart read.
   */
  async add(userId: number, input: AddToCartBody): Promise<Cart> {
    const quantity = input.quantity ?? 1;
    const row = await this.variantToAdd(input);
    const limit = Math.min(MAX_LINE_QUANTITY, row.stock);
    const added =
      quantity <= limit &&
      (await this.changing(userId, () =>
        addToLine(
          this.ctx.db,
          userId,
          { product_id: row.product_id, variant_id: row.variant_id, quantity },
          limit,
          this.ctx.clock.now().toISOString(),
        ),
      ));
    if (!added) {
      // Refused: say why, counting what the line holds now.
      const inCart = (await findLineOfVariant(this.ctx.db, userId, row.variant_id))?.quantity ?? 0;
      if (inCart + quantity > MAX_LINE_QUANTITY) {
        throw invalidField('/quantity', `would make the line ${inCart + quantity}; a line holds at most 999`);
      }
      throw insufficientStock(row, quantity, inCart);
    }
    return this.view(userId);
  }

  /**
   * The live variant an add names (or the product's only one), priced as the catalog shows it now:
   * 404 for a missing or withdrawn product or variant, 400 for a variant of another product, 400
   * variant_required for a product with several variants and none named.
   */
  private async variantToAdd(input: AddToCartBody): Promise<VariantPricingRow> {
    const snapshot = (await this.products.forCart([input.product_id])).get(input.product_id);
    const live = snapshot?.product?.variants ?? [];
    if (input.variant_id === undefined) {
      if (live.length === 0) throw notFound('Product');
      if (live.length > 1) {
        throw variantRequired(
          `Product ${input.product_id} has ${live.length} variants: say which one with variant_id`,
          live.map((v) => ({ id: v.id, sku: v.sku, title: v.title })),
        );
      }
    }
    const variantId = input.variant_id ?? live[0]!.id;
    const row = snapshot?.variants.get(variantId);
    if (row) {
      if (row.archived || !snapshot?.product)
        throw notFound(input.variant_id === undefined ? 'Product' : 'Variant');
      return row;
    }
    // Not a variant of this product: another product's (400), or none at all (404).
    const elsewhere = (await loadVariantPricingRows(this.ctx.db, [variantId])).get(variantId);
    if (elsewhere) {
      throw invalidField(
        '/variant_id',
        `variant ${variantId} is not a variant of product ${input.product_id}`,
      );
    }
    throw notFound('Variant');
  }

  /** Sets a line's quantity; 0 removes it. */
  async updateLine(userId: number, lineId: number, quantity: number): Promise<Cart> {
    const line = await findLine(this.ctx.db, userId, lineId);
    if (!line) throw notFound('Cart line');
    return this.setQuantity(userId, line, quantity);
  }

  async removeLine(userId: number, lineId: number): Promise<void> {
    const removed = await this.changing(userId, () => removeLines(this.ctx.db, userId, [lineId]));
    if (removed === 0) throw notFound('Cart line');
  }

  /** The seed-era form: the product's only line in the cart (several: 400 variant_required). */
  async updateProduct(userId: number, productId: number, quantity: number): Promise<Cart> {
    return this.setQuantity(userId, await this.lineOfProduct(userId, productId), quantity);
  }

  async removeProduct(userId: number, productId: number): Promise<void> {
    await this.removeLine(userId, (await this.lineOfProduct(userId, productId)).id);
  }

  async clear(userId: number): Promise<void> {
    await this.changing(userId, () => clearCart(this.ctx.db, userId));
  }

  private async setQuantity(userId: number, line: CartLineRow, quantity: number): Promise<Cart> {
    const { db } = this.ctx;
    if (quantity === 0) {
      await this.changing(userId, () => removeLines(db, userId, [line.id]));
      return this.view(userId);
    }
    const row = (await loadVariantPricingRows(db, [line.variant_id])).get(line.variant_id);
    if (row && !row.archived && quantity > row.stock) throw insufficientStock(row, quantity);
    const now = this.ctx.clock.now().toISOString();
    await this.changing(userId, () => setLineQuantity(db, userId, line.id, quantity, now));
    return this.view(userId);
  }

  private async lineOfProduct(userId: number, productId: number): Promise<CartLineRow> {
    const lines = await linesOfProduct(this.ctx.db, userId, productId);
    if (lines.length === 0) throw notFound('Cart item');
    if (lines.length > 1) {
      const rows = await loadVariantPricingRows(
        this.ctx.db,
        lines.map((l) => l.variant_id),
      );
      throw variantRequired(
        `Your cart holds ${lines.length} variants of product ${productId}: use /api/cart/lines/{line_id}`,
        lines.map((l) => {
          const row = rows.get(l.variant_id);
          return { id: l.variant_id, sku: row?.sku ?? null, title: row?.title ?? '' };
        }),
      );
    }
    return lines[0]!;
  }
}
