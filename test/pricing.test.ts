import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { MAX_CENTS } from '../src/lib/money.js';
import {
  currentPriceSql,
  discountedUnitPrice,
  type OfferWindow,
  offerActiveSql,
  priceVariant,
} from '../src/lib/pricing.js';
import { createTestDatabase, type TestDatabase } from './helpers/app.js';
import { testDialects } from './helpers/env.js';

const offer = (discount_bp: number, start = '2026-01-01T00:00:00.000Z', end = '2026-02-01T00:00:00.000Z') =>
  ({ id: 1, name: 'Sale', discount_bp, start_time: start, end_time: end }) satisfies OfferWindow;
const during = new Date('2026-01-15T00:00:00.000Z');

describe('pricing', () => {
  it('rounds the discounted unit price half-up to the cent', () => {
    const p = priceVariant(1999, offer(1500), during);
    assert.equal(p.unitPrice, 1699); // 16.9915
    assert.equal(p.discount, 300);
    assert.equal(priceVariant(165, offer(1000), during).unitPrice, 149); // 1.485 → 1.49, not banker's 1.48
    assert.equal(discountedUnitPrice(5, 1000), 5); // 4.5 cents → 5
    assert.equal(discountedUnitPrice(1, 2000), 1); // 0.8 → 1
    assert.equal(discountedUnitPrice(0, 2000), 0);
  });

  it('applies an offer from its start (inclusive) to its end (exclusive)', () => {
    const o = offer(2000);
    assert.equal(priceVariant(1000, o, new Date('2025-12-31T23:59:59.999Z')).activeOffer, null);
    assert.equal(priceVariant(1000, o, new Date('2026-01-01T00:00:00.000Z')).unitPrice, 800);
    assert.equal(priceVariant(1000, o, new Date('2026-01-31T23:59:59.999Z')).unitPrice, 800);
    const ended = priceVariant(1000, o, new Date('2026-02-01T00:00:00.000Z'));
    assert.deepEqual(ended, { unitPrice: 1000, originalPrice: 1000, discount: 0, activeOffer: null });
    assert.equal(priceVariant(1000, null, during).unitPrice, 1000);
  });

  it('property: current_price + discount_amount == price and 0 <= current_price <= price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CENTS }), fc.integer({ min: 1, max: 2000 }), (price, bp) => {
        const p = priceVariant(price, offer(bp), during);
        assert.equal(p.unitPrice + p.discount, price);
        assert.ok(p.unitPrice >= 0 && p.unitPrice <= price);
        assert.ok(Number.isSafeInteger(p.unitPrice));
        // Half-up rounding of the exact rational price × (1 − bp/10000), checked with BigInt.
        const exact = BigInt(price) * BigInt(10_000 - bp);
        const expected = (exact * 2n + 10_000n) / 20_000n;
        assert.equal(BigInt(p.unitPrice), expected);
      }),
      { numRuns: 10_000 },
    );
  });
});

for (const dialect of testDialects()) {
  describe(`pricing SQL agrees with priceVariant (${dialect})`, () => {
    let database: TestDatabase;
    let db: Db;
    before(async () => {
      database = await createTestDatabase(dialect);
      db = database.db;
    });
    after(() => database.drop());

    it('current price and activity match for random prices, discounts and instants', async () => {
      const samples = fc.sample(
        fc.record({
          price: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: MAX_CENTS })),
          bp: fc.integer({ min: 1, max: 2000 }),
          // Instants around the offer window's edges, to the millisecond.
          at: fc.oneof(
            fc.integer({ min: -2, max: 2 }).map((d) => Date.parse('2026-01-01T00:00:00.000Z') + d),
            fc.integer({ min: -2, max: 2 }).map((d) => Date.parse('2026-02-01T00:00:00.000Z') + d),
            fc.integer({ min: Date.parse('2025-12-01'), max: Date.parse('2026-03-01') }),
          ),
          withOffer: fc.boolean(),
        }),
        { numRuns: 300, seed: 42 },
      );
      const now = new Date().toISOString();
      const o = await db
        .insertInto('offers')
        .values({ ...offer(100), name: 'Edge', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const [i, s] of samples.entries()) {
        await db.updateTable('offers').set({ discount_bp: s.bp }).where('id', '=', o.id).execute();
        const product = await db
          .insertInto('products')
          .values({
            name: `p${i}`,
            description: '',
            stock: 0,
            price_cents: s.price,
            category_id: 1,
            offer_id: s.withOffer ? o.id : null,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const at = new Date(s.at).toISOString();
        const row = await db
          .selectFrom('products')
          .leftJoin('offers', 'offers.id', 'products.offer_id')
          .select([
            currentPriceSql(at).as('current'),
            sql<number>`case when ${offerActiveSql(at)} then 1 else 0 end`.as('active'),
          ])
          .where('products.id', '=', product.id)
          .executeTakeFirstOrThrow();
        const expected = priceVariant(
          s.price,
          s.withOffer ? { ...offer(s.bp), id: o.id } : null,
          new Date(s.at),
        );
        assert.equal(Number(row.current), expected.unitPrice, JSON.stringify(s));
        assert.equal(Number(row.active) === 1, expected.activeOffer !== null, JSON.stringify(s));
      }
    });
  });
}
