import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findBestMatchForClaim, isVolumeBoundToClaim } from './matcher.ts';
import { volumeMismatch, defaultClass } from './controller.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from './types.ts';

const pv = (name: string, storage: string, opts: { modes?: string[]; cls?: string; labels?: Record<string, string>; phase?: string; claimRef?: { namespace: string; name: string; uid?: string }; mode?: string } = {}): PersistentVolume => ({
  metadata: { name, labels: opts.labels },
  spec: { capacity: { storage }, accessModes: opts.modes ?? ['ReadWriteOnce'], storageClassName: opts.cls ?? '', claimRef: opts.claimRef, volumeMode: opts.mode },
  status: { phase: opts.phase ?? 'Available' },
});
const pvc = (storage: string, opts: { modes?: string[]; cls?: string; selector?: { matchLabels: Record<string, string> } } = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', uid: 'u1' },
  spec: { accessModes: opts.modes ?? ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName: opts.cls ?? '', selector: opts.selector },
});
const names = (v: { readonly metadata: { readonly name?: string } } | undefined): string | undefined => v?.metadata.name;

test('the smallest Available volume of the same class with enough capacity wins', () => {
  const vols = [pv('big', '10Gi'), pv('small', '1Gi'), pv('fit', '2Gi'), pv('tiny', '500Mi'), pv('other-class', '2Gi', { cls: 'fast' }), pv('taken', '2Gi', { phase: 'Bound', claimRef: { namespace: 'x', name: 'y', uid: 'z' } })];
  assert.equal(names(findBestMatchForClaim(pvc('1500Mi'), vols, false)), 'fit');
  assert.equal(names(findBestMatchForClaim(pvc('1Gi'), vols, false)), 'small', 'equal capacity fits');
  assert.equal(names(findBestMatchForClaim(pvc('11Gi'), vols, false)), undefined, 'nothing big enough');
  assert.equal(names(findBestMatchForClaim(pvc('1Gi', { cls: 'fast' }), vols, false)), 'other-class');
});

test('access modes must be a subset; the smallest mode set is tried first', () => {
  const vols = [pv('rwx', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }), pv('rwo-big', '5Gi')];
  assert.equal(names(findBestMatchForClaim(pvc('1Gi'), vols, false)), 'rwo-big', 'the RWO-only group is searched before the RWO+RWX group');
  assert.equal(names(findBestMatchForClaim(pvc('1Gi', { modes: ['ReadWriteMany'] }), vols, false)), 'rwx');
  assert.equal(names(findBestMatchForClaim(pvc('1Gi', { modes: ['ReadOnlyMany'] }), vols, false)), undefined);
});

test('label selector, volume mode and pre-binding', () => {
  const vols = [pv('plain', '1Gi'), pv('ssd', '3Gi', { labels: { disk: 'ssd' } }), pv('block', '1Gi', { mode: 'Block' })];
  assert.equal(names(findBestMatchForClaim(pvc('1Gi', { selector: { matchLabels: { disk: 'ssd' } } }), vols, false)), 'ssd');
  const prebound = pv('mine', '5Gi', { cls: 'other', claimRef: { namespace: 'default', name: 'data' } });
  assert.equal(names(findBestMatchForClaim(pvc('1Gi'), [...vols, prebound], false)), 'mine', 'a volume pre-bound to the claim wins over a smaller free one');
  assert.ok(isVolumeBoundToClaim(prebound, pvc('1Gi')));
  assert.ok(!isVolumeBoundToClaim(pv('y', '1Gi', { claimRef: { namespace: 'default', name: 'data', uid: 'other' } }), pvc('1Gi')), 'another claim of the same name');
  assert.equal(names(findBestMatchForClaim(pvc('1Gi'), [pv('block', '1Gi', { mode: 'Block' })], false)), undefined, 'Block volume for a Filesystem claim');
});

test('WaitForFirstConsumer: the controller binds only pre-bound volumes; the scheduler path checks the node', () => {
  const vols = [pv('free', '1Gi'), pv('far', '1Gi')];
  assert.equal(findBestMatchForClaim(pvc('1Gi'), vols, true), undefined);
  assert.equal(names(findBestMatchForClaim(pvc('1Gi'), vols, true, (v) => v.metadata.name === 'far')), 'far');
});

test('a named volume must satisfy the claim; the newest default class wins', () => {
  assert.equal(volumeMismatch(pv('a', '1Gi'), pvc('2Gi')), 'requested PV is too small');
  assert.equal(volumeMismatch(pv('a', '2Gi', { cls: 'x' }), pvc('2Gi')), 'storageClassName does not match');
  assert.equal(volumeMismatch(pv('a', '2Gi', { modes: ['ReadOnlyMany'] }), pvc('2Gi')), 'incompatible accessMode');
  assert.equal(volumeMismatch(pv('a', '2Gi'), pvc('2Gi')), undefined);
  const sc = (name: string, created: string, def: boolean): StorageClass => ({ metadata: { name, creationTimestamp: created, annotations: def ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} }, provisioner: 'p' });
  assert.equal(defaultClass([sc('a', '2026-01-01T00:00:00Z', true), sc('b', '2026-01-02T00:00:00Z', true), sc('c', '2026-01-03T00:00:00Z', false)])?.metadata.name, 'b');
  assert.equal(defaultClass([sc('c', '2026-01-03T00:00:00Z', false)]), undefined);
});
