import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { applyJsonPatch, applyMergePatch } from './json.ts';

const obj = (): KubeObject => ({ metadata: { name: 'a', labels: { x: '1' } }, spec: { replicas: 1, items: ['a'] } });

test('json patch applies operations in order without touching the input', () => {
  const input = obj();
  const out = applyJsonPatch(input, [
    { op: 'test', path: '/spec/replicas', value: 1 },
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/spec/items/-', value: 'b' },
    { op: 'remove', path: '/metadata/labels/x' },
  ]);
  assert.deepEqual(out, { metadata: { name: 'a', labels: {} }, spec: { replicas: 3, items: ['a', 'b'] } });
  assert.equal((input.spec as { replicas: number }).replicas, 1);
});

test('json patch: failed test or missing path is 422 Invalid, a non-list patch is 400', () => {
  const is = (code: number) => (e: unknown) => isStatusError(e) && e.code === code;
  assert.throws(() => applyJsonPatch(obj(), [{ op: 'test', path: '/spec/replicas', value: 2 }]), is(422));
  assert.throws(() => applyJsonPatch(obj(), [{ op: 'remove', path: '/spec/nope' }]), is(422));
  assert.throws(() => applyJsonPatch(obj(), [{ op: 'add', path: '/nope/deeper', value: 1 }]), is(422));
  assert.throws(() => applyJsonPatch(obj(), [{ op: 'frobnicate', path: '/a' }]), is(422));
  assert.throws(() => applyJsonPatch(obj(), { op: 'add' }), is(400));
});

test('merge patch: objects merge, null deletes, lists replace', () => {
  const out = applyMergePatch(obj(), { metadata: { labels: { x: null, y: '2' } }, spec: { items: ['z'] } });
  assert.deepEqual(out, { metadata: { name: 'a', labels: { y: '2' } }, spec: { replicas: 1, items: ['z'] } });
});
