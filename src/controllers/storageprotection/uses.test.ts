import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeepReadonly } from '../../api/object.ts';
import { claimsFreedBy, podUsesClaim, protectionAction, PVC_PROTECTION, volumeInUse } from './uses.ts';
import type { VolumePod } from './uses.ts';

const pod = (over: { nodeName?: string; phase?: string; deleting?: number } = {}): DeepReadonly<VolumePod> => ({
  metadata: { name: 'web', namespace: 'ns', ...(over.deleting !== undefined ? { deletionTimestamp: '2026-11-26T00:00:00Z', deletionGracePeriodSeconds: over.deleting } : {}) },
  spec: { nodeName: over.nodeName ?? 'n1', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'claim' } }, { name: 'scratch', ephemeral: {} }, { name: 'cfg' }] },
  status: { phase: over.phase ?? 'Running' },
});

test('a scheduled pod uses the claims its volumes name, and its generic ephemeral claims until it is shut down', () => {
  assert.equal(podUsesClaim(pod(), 'claim'), true);
  assert.equal(podUsesClaim(pod(), 'web-scratch'), true);
  assert.equal(podUsesClaim(pod(), 'other'), false);
  // Unscheduled: the kubelet never starts it with a claim being deleted.
  assert.equal(podUsesClaim(pod({ nodeName: '' }), 'claim'), false);
  // Finished pods still hold a named claim (upstream), but not an ephemeral one once shut down.
  assert.equal(podUsesClaim(pod({ phase: 'Succeeded' }), 'claim'), true);
  assert.equal(podUsesClaim(pod({ deleting: 0 }), 'web-scratch'), false);
  assert.equal(podUsesClaim(pod({ deleting: 30 }), 'web-scratch'), true);
});

test('pod events that may free a claim: deleted, finished or unscheduled pods', () => {
  assert.deepEqual(claimsFreedBy(pod(), false), []);
  assert.deepEqual(claimsFreedBy(pod(), true), ['claim', 'web-scratch']);
  assert.deepEqual(claimsFreedBy(pod({ phase: 'Failed' }), false), ['claim', 'web-scratch']);
  assert.deepEqual(claimsFreedBy(pod({ nodeName: '' }), false), ['claim', 'web-scratch']);
});

test('the finalizer is added when missing, released only while deleting', () => {
  const meta = (finalizers: string[], deleting: boolean) => ({ metadata: { name: 'c', finalizers, ...(deleting ? { deletionTimestamp: '2026-11-26T00:00:00Z' } : {}) } });
  assert.equal(protectionAction(meta([], false), PVC_PROTECTION), 'add');
  assert.equal(protectionAction(meta([PVC_PROTECTION], false), PVC_PROTECTION), undefined);
  assert.equal(protectionAction(meta([PVC_PROTECTION], true), PVC_PROTECTION), 'release');
  assert.equal(protectionAction(meta(['other'], true), PVC_PROTECTION), undefined);
  assert.equal(volumeInUse({ metadata: { name: 'v' }, status: { phase: 'Bound' } }), true);
  assert.equal(volumeInUse({ metadata: { name: 'v' }, status: { phase: 'Released' } }), false);
});
