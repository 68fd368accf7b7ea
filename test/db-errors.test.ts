import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUnavailable } from '../src/db/errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database error classification', () => {
  it('an unreachable database or a dropped session is unavailability (503)', () => {
    for (const code of [
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '53300',
      'ECONNREFUSED',
      'ECONNRESET',
      'SQLITE_BUSY',
    ]) {
      assert.equal(isDatabaseUnavailable(withCode(code)), true, code);
    }
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')), true);
    assert.equal(isDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED')], 'connect')), true);
  });

  it('a failing query is not (constraint, syntax, a bug)', () => {
    for (const code of ['23505', '23514', '42601', '40001', 'SQLITE_CONSTRAINT_UNIQUE']) {
      assert.equal(isDatabaseUnavailable(withCode(code)), false, code);
    }
    assert.equal(isDatabaseUnavailable(new TypeError('undefined is not a function')), false);
    assert.equal(isDatabaseUnavailable('ECONNREFUSED'), false);
  });
});
