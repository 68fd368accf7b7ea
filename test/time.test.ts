import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../src/lib/errors.js';
import { parseInstant } from '../src/lib/time.js';

describe('parseInstant', () => {
  it('normalizes any offset to UTC with Z', () => {
    assert.equal(parseInstant('2026-05-01T10:00:00Z', '/t'), '2026-05-01T10:00:00.000Z');
    assert.equal(parseInstant('2026-05-01T10:00:00+05:45', '/t'), '2026-05-01T04:15:00.000Z');
    assert.equal(parseInstant('2026-05-01T10:00-03:00', '/t'), '2026-05-01T13:00:00.000Z');
  });

  it('refuses a naive timestamp with a message that asks for an offset', () => {
    assert.throws(
      () => parseInstant('2026-05-01T10:00:00', '/start_time'),
      (error: unknown) =>
        error instanceof ValidationError &&
        /offset/.test(error.message) &&
        error.errors[0]?.path === '/start_time',
    );
  });

  it('refuses dates that do not exist instead of rolling them over', () => {
    for (const value of [
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-04-31T12:00:00Z',
      '2026-01-01T25:00:00Z',
    ]) {
      assert.throws(() => parseInstant(value, '/t'), ValidationError, value);
    }
    assert.equal(parseInstant('2028-02-29T00:00:00Z', '/t'), '2028-02-29T00:00:00.000Z');
  });

  it('refuses other text', () => {
    for (const value of ['tomorrow', '2026-05-01', '1714557600', ''])
      assert.throws(() => parseInstant(value, '/t'), ValidationError);
  });
});
