import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, CycleState } from '../../framework/interface.ts';
import { handleOf, makePod } from '../testing.ts';
import { ErrReasonUnboundImmediate, newVolumeBinding } from './volumebinding.ts';

test('VolumeBinding: skips pods without claims; missing or unbound claims keep the pod pending', () => {
  const p = newVolumeBinding();
  assert.equal(p.preFilter(new CycleState(), makePod('p'), handleOf([]))?.code, Code.Skip);
  const claims: Record<string, { phase: string; volumeName: string }> = { bound: { phase: 'Bound', volumeName: 'pv1' }, pending: { phase: 'Pending', volumeName: '' } };
  const handle = { ...handleOf([]), claim: (_ns: string, name: string) => claims[name] };
  const withClaim = (claimName: string) => makePod('q', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] });
  assert.equal(p.preFilter(new CycleState(), withClaim('bound'), handle), undefined);
  assert.deepEqual(p.preFilter(new CycleState(), withClaim('pending'), handle)?.reasons, [ErrReasonUnboundImmediate]);
  const missing = p.preFilter(new CycleState(), withClaim('nope'), handle);
  assert.equal(missing?.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(missing?.reasons, ['persistentvolumeclaim "nope" not found']);
});
