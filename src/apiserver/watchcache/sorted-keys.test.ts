import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedKeys } from './sorted-keys.ts';

function scanned(keys: SortedKeys<number>, prefix: string, after?: string, stopAfter = Infinity): [string, number][] {
  const out: [string, number][] = [];
  keys.scan(prefix, after, (k, v) => out.push([k, v]) < stopAfter);
  return out;
}

test('scan walks a prefix in key order with each key\'s current value, after a key, and stops when told', () => {
  const keys = new SortedKeys<number>();
  keys.reset([['/r/b/2', 4], ['/r/a/1', 1], ['/r/c/1', 6], ['/r/b/1', 3], ['/s/x', 9]]);
  keys.set('/r/a/2', 2); // new key in the middle
  keys.set('/r/b/2', 5); // replaced value, same place
  keys.remove('/r/c/1');
  keys.remove('/r/zz'); // absent: no-op
  assert.deepEqual(scanned(keys, '/r/'), [['/r/a/1', 1], ['/r/a/2', 2], ['/r/b/1', 3], ['/r/b/2', 5]]);
  assert.deepEqual(scanned(keys, '/r/b/'), [['/r/b/1', 3], ['/r/b/2', 5]]);
  assert.deepEqual(scanned(keys, '/r/', '/r/a/2'), [['/r/b/1', 3], ['/r/b/2', 5]]);
  assert.deepEqual(scanned(keys, '/r/', undefined, 2), [['/r/a/1', 1], ['/r/a/2', 2]]);
  assert.equal(keys.size, 5);
  assert.equal(keys.countPrefix('/r/'), 4);
  assert.equal(keys.countPrefix('/r/', '/r/a/2'), 2);
});
