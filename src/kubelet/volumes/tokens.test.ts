import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needsRefresh } from './tokens.ts';

test('a token is refreshed once 80% of its lifetime has passed, or after 24 h, or when expired', () => {
  const issued = 1_000_000;
  const hour = 3600_000;
  assert.equal(needsRefresh(issued, issued + hour, issued + 0.5 * hour), false);
  assert.equal(needsRefresh(issued, issued + hour, issued + 0.79 * hour), false);
  assert.equal(needsRefresh(issued, issued + hour, issued + 0.81 * hour), true);
  assert.equal(needsRefresh(issued, issued + hour, issued + 2 * hour), true);
  assert.equal(needsRefresh(issued, issued + 100 * hour, issued + 25 * hour), true);
});
