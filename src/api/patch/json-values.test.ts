import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clone } from './json-values.ts';

test('clone copies JSON values deeply, like structuredClone', () => {
  const v = { a: [1, 'x', null, { b: true, c: undefined }], d: { e: { f: -0.5 } }, g: [] as unknown[] };
  const c = clone(v);
  assert.deepEqual(c, structuredClone(v));
  assert.notEqual(c.a, v.a);
  assert.notEqual(c.a[3], v.a[3]);
  assert.notEqual(c.d.e, v.d.e);
  assert.ok(Object.hasOwn(c.a[3] as object, 'c'), 'undefined-valued keys stay, as structuredClone keeps them');
  assert.equal(clone(undefined), undefined);
  assert.equal(clone('s'), 's');
});

test('clone of frozen input is mutable; "__proto__" stays an own key; other objects go through structuredClone', () => {
  const parsed = JSON.parse('{"__proto__":{"polluted":1},"x":1}') as Record<string, unknown>;
  const c = clone(Object.freeze(parsed));
  assert.ok(!Object.isFrozen(c));
  assert.ok(Object.hasOwn(c, '__proto__'));
  assert.equal(Object.getPrototypeOf(c), Object.prototype);
  assert.equal((c as { polluted?: unknown }).polluted, undefined);
  const d = new Date(0);
  const copy = clone({ d });
  assert.ok(copy.d instanceof Date && copy.d !== d && copy.d.getTime() === 0);
});
