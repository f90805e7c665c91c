import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localPathStorageClass, provisionError, volumeFor, wantsVolume } from './provisioner.ts';
import type { PersistentVolumeClaim } from '../persistentvolume/types.ts';

const claim = (annotations: Record<string, string>, modes = ['ReadWriteOnce']): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'web', uid: '1234', resourceVersion: '7', annotations },
  spec: { accessModes: modes, resources: { requests: { storage: '2Gi' } }, storageClassName: 'local-path' },
});
const annotated = { 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' };

test('a claim is provisioned once annotated for local-path and, WaitForFirstConsumer, placed on a node', () => {
  const cls = localPathStorageClass();
  assert.equal(wantsVolume(claim({}), cls), false, 'not handed to the provisioner yet');
  assert.equal(wantsVolume(claim(annotated), cls), false, 'no node selected yet');
  assert.equal(wantsVolume(claim({ ...annotated, 'volume.kubernetes.io/selected-node': 'n1' }), cls), true);
  assert.equal(wantsVolume(claim({ ...annotated, 'volume.kubernetes.io/selected-node': 'n1' }), { ...cls, provisioner: 'other' }), false);
  assert.equal(wantsVolume(claim(annotated), { ...cls, volumeBindingMode: 'Immediate' }), true);
});

test('the volume: pvc-<uid>, a hostPath directory under the root, pinned to the node, bound to the claim', () => {
  const pv = volumeFor(claim(annotated), localPathStorageClass(), 'n1', '/data');
  assert.equal(pv.metadata.name, 'pvc-1234');
  assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
  assert.deepEqual(pv.spec?.hostPath, { path: '/data/pvc-1234_web_data', type: 'DirectoryOrCreate' });
  assert.deepEqual(pv.spec?.capacity, { storage: '2Gi' });
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(pv.spec?.storageClassName, 'local-path');
  assert.deepEqual(pv.spec?.claimRef, { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'web', name: 'data', uid: '1234', resourceVersion: '7' });
  assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }]);
});

test('local-path refuses shared access modes and claims without a node', () => {
  assert.match(provisionError(claim(annotated, ['ReadWriteMany']), 'n1') ?? '', /only supports ReadWriteOnce/);
  assert.equal(provisionError(claim(annotated), undefined), 'configuration error, no node was specified');
  assert.equal(provisionError(claim(annotated), 'n1'), undefined);
});
