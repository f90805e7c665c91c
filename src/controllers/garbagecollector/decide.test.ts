import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.ts';
import { classifyOwners, decide } from './decide.ts';
import type { OwnerState } from './decide.ts';

const ref = (uid: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller: true, blockOwnerDeletion: true });
const obj = (finalizers: string[] = []): KubeObject => ({ metadata: { name: 'p', uid: 'p', finalizers, ownerReferences: [ref('a'), ref('b')] } });
const deletingFg: OwnerState = { kind: 'present', obj: { metadata: { name: 'x', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] } } };
const alive: OwnerState = { kind: 'present', obj: { metadata: { name: 'x' } } };

test('a solid owner keeps the object; dangling and waiting references are removed', () => {
  const states: Record<string, OwnerState> = { a: alive, b: { kind: 'absent' } };
  const c = classifyOwners([ref('a'), ref('b')], (r) => states[r.uid]);
  assert.deepEqual(decide(obj(), c, false), { kind: 'removeOwnerRefs', uids: ['b'] });
  const all = classifyOwners([ref('a')], () => alive);
  assert.deepEqual(decide(obj(), all, false), { kind: 'none' });
});

test('all owners gone: background delete unless the object carries a propagation finalizer', () => {
  const c = classifyOwners([ref('a'), ref('b')], () => ({ kind: 'absent' }));
  assert.deepEqual(decide(obj(), c, false), { kind: 'delete', policy: 'Background' });
  assert.deepEqual(decide(obj(['orphan']), c, false), { kind: 'delete', policy: 'Orphan' });
});

test('an owner deleting in foreground: dependents with their own dependents go in foreground', () => {
  const c = classifyOwners([ref('a')], () => deletingFg);
  assert.equal(c.waitingForDependentsDeletion.length, 1);
  assert.deepEqual(decide(obj(), c, true), { kind: 'delete', policy: 'Foreground' });
  assert.deepEqual(decide(obj(), c, false), { kind: 'delete', policy: 'Background' });
});

test('unknown owner kinds are never treated as gone', () => {
  const c = classifyOwners([ref('a')], () => ({ kind: 'unknown' }));
  assert.deepEqual(decide(obj(), c, false), { kind: 'none' });
});
