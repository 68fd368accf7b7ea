import assert from 'node:assert/strict';
import { it } from 'node:test';
import { restartDelay } from '../src/runtime/restart-delay.js';

it('replaces a worker at once after a stable run, and backs off a crash loop up to 30 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4].map(restartDelay), [0, 250, 500, 1000, 2000]);
  assert.equal(restartDelay(8), 30_000);
  assert.equal(restartDelay(100), 30_000);
});
