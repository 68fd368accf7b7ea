import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatMoney, MAX_CENTS, parseMoney, parsePercent, toAmount } from '../src/lib/money.js';

describe('money', () => {
  it('parses decimals exactly, never through float multiplication', () => {
    assert.equal(parseMoney(0.1, '/p'), 10);
    assert.equal(parseMoney(0.29, '/p'), 29); // 0.29 * 100 = 28.999999999999996
    assert.equal(parseMoney(19.99, '/p'), 1999);
    assert.equal(parseMoney(1.1, '/p'), 110);
    assert.equal(parseMoney(99999999.99, '/p'), 9_999_999_999);
    assert.equal(parseMoney(0, '/p'), 0);
    assert.equal(parseMoney(12, '/p'), 1200);
  });

  it('refuses a third decimal, negatives, too large and non-finite amounts', () => {
    for (const bad of [10.999, 0.001, -1, -0.01, 100_000_000, Number.POSITIVE_INFINITY, Number.NaN, 1e21]) {
      assert.throws(() => parseMoney(bad, '/price'), { code: 'validation_failed' }, String(bad));
    }
  });

  it('formats cents with two decimals', () => {
    assert.equal(formatMoney(1999), '19.99');
    assert.equal(formatMoney(5), '0.05');
    assert.equal(formatMoney(100), '1.00');
    assert.equal(formatMoney(-250), '-2.50');
    assert.equal(toAmount(1999), 19.99);
  });

  it('parses percentages to basis points', () => {
    assert.equal(parsePercent(15, '/d'), 1500);
    assert.equal(parsePercent(12.5, '/d'), 1250);
    assert.equal(parsePercent(0.01, '/d'), 1);
    assert.throws(() => parsePercent(12.345, '/d'), { code: 'validation_failed' });
  });

  it('round-trips every amount: parseMoney(toAmount(c)) == c and JSON keeps it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CENTS }), (cents) => {
        const amount = toAmount(cents);
        assert.equal(parseMoney(amount, '/p'), cents);
        assert.equal(parseMoney(JSON.parse(JSON.stringify(amount)), '/p'), cents);
        assert.equal(Number(formatMoney(cents)), amount);
      }),
      { numRuns: 5000 },
    );
  });
});
