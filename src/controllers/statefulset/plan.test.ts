import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../history/pods.ts';
import { newStatefulPod } from './controller.ts';
import type { StatefulSet } from './plan.ts';
import { ordinalOf, planStatefulSet } from './plan.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const set = (spec: StatefulSet['spec'] = {}): StatefulSet => ({ metadata: { name: 'web', namespace: 'ns', uid: 'u', generation: 1 }, spec: { replicas: 3, serviceName: 'nginx', template: { metadata: { labels: { app: 'web' } }, spec: {} }, ...spec } });
const pod = (ordinal: number, rev: string, ready = true): Pod => ({ metadata: { name: `web-${ordinal}`, labels: { 'controller-revision-hash': rev } }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });

test('OrderedReady creates one pod at a time, waiting for readiness', () => {
  assert.deepEqual(planStatefulSet(set(), [], 'r1', 'r1', NOW).create, [{ ordinal: 0, revision: 'r1' }]);
  assert.deepEqual(planStatefulSet(set(), [pod(0, 'r1', false)], 'r1', 'r1', NOW).create, [], 'web-0 not ready yet');
  assert.deepEqual(planStatefulSet(set(), [pod(0, 'r1')], 'r1', 'r1', NOW).create, [{ ordinal: 1, revision: 'r1' }]);
});

test('Parallel creates all missing pods at once', () => {
  assert.deepEqual(planStatefulSet(set({ podManagementPolicy: 'Parallel' }), [], 'r1', 'r1', NOW).create.map((c) => c.ordinal), [0, 1, 2]);
});

test('scale down removes the highest ordinal first, one at a time', () => {
  const plan = planStatefulSet(set({ replicas: 1 }), [pod(0, 'r1'), pod(1, 'r1'), pod(2, 'r1')], 'r1', 'r1', NOW);
  assert.deepEqual(plan.deletePods, ['web-2']);
});

test('rolling update goes from the highest ordinal down to the partition', () => {
  const pods = [pod(0, 'r1'), pod(1, 'r1'), pod(2, 'r1')];
  assert.deepEqual(planStatefulSet(set(), pods, 'r1', 'r2', NOW).deletePods, ['web-2']);
  const partitioned = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  assert.deepEqual(planStatefulSet(partitioned, [pod(0, 'r1'), pod(1, 'r1'), pod(2, 'r2')], 'r1', 'r2', NOW).deletePods, [], 'ordinals below the partition keep the old revision');
  assert.deepEqual(planStatefulSet(partitioned, [pod(0, 'r1'), pod(1, 'r1')], 'r1', 'r2', NOW).create, [{ ordinal: 2, revision: 'r2' }]);
  assert.deepEqual(planStatefulSet(set({ updateStrategy: { type: 'OnDelete' } }), pods, 'r1', 'r2', NOW).deletePods, []);
});

test('status counts and revision promotion', () => {
  const s = planStatefulSet(set(), [pod(0, 'r2'), pod(1, 'r2'), pod(2, 'r2')], 'r1', 'r2', NOW).status;
  assert.equal(s.currentRevision, 'r2');
  assert.deepEqual([s.replicas, s.readyReplicas, s.currentReplicas, s.updatedReplicas, s.availableReplicas], [3, 3, 3, 3, 3]);
  const mid = planStatefulSet(set(), [pod(0, 'r1'), pod(1, 'r1'), pod(2, 'r2', false)], 'r1', 'r2', NOW).status;
  assert.equal(mid.currentRevision, 'r1');
  assert.deepEqual([mid.replicas, mid.readyReplicas, mid.currentReplicas, mid.updatedReplicas], [3, 2, 2, 1]);
});

test('stateful pods have stable names, hostnames, subdomain and claims', () => {
  const s = set({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] });
  const p = newStatefulPod(s, s.spec?.template, 2, 'web-abc');
  assert.equal(p.metadata.name, 'web-2');
  assert.equal(p.spec?.hostname, 'web-2');
  assert.equal(p.spec?.subdomain, 'nginx');
  assert.equal(p.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-2');
  assert.equal(p.metadata.labels?.['apps.kubernetes.io/pod-index'], '2');
  assert.deepEqual(p.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-2' } }]);
  assert.equal(ordinalOf('web', 'web-10'), 10);
  assert.equal(ordinalOf('web', 'web-x'), undefined);
});
