import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../history/pods.ts';
import { REVISION_HASH_LABEL } from '../history/revision.ts';
import { newDaemonPod } from './controller.ts';
import type { DaemonSet } from './plan.ts';
import { planDaemonSet, targetNode } from './plan.ts';
import type { Node } from './predicates.ts';
import { shouldRunOn } from './predicates.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const node = (name: string, extra: Partial<Node> = {}): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } }, ...extra });
const ds = (spec: DaemonSet['spec'] = {}): DaemonSet => ({ metadata: { name: 'd', namespace: 'ns', uid: 'u', generation: 2 }, spec: { template: { metadata: { labels: { app: 'd' } }, spec: { containers: [] } }, ...spec } });
const readyPod = (name: string, nodeName: string, hash: string): Pod => ({
  metadata: { name, labels: { [REVISION_HASH_LABEL]: hash }, creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { nodeName },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
});

test('one pod per eligible node; tainted and non-matching nodes are skipped', () => {
  const nodes = [node('a'), node('b', { spec: { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] } }), node('c', { spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } })];
  const plan = planDaemonSet(ds(), nodes, [], 'h1', NOW);
  assert.deepEqual(plan.createOn, ['a', 'c'], 'cordoned nodes still run daemons (built-in toleration); custom taints do not');
  assert.equal(plan.status.desiredNumberScheduled, 2);
  assert.equal(plan.status.numberUnavailable, 2);
  assert.equal(shouldRunOn({ nodeSelector: { disk: 'ssd' } }, node('a')), false);
  assert.equal(shouldRunOn({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] }, nodes[1]), true);
});

test('daemon pods are pinned by node affinity and tolerate the built-in taints', () => {
  const pod = newDaemonPod(ds(), 'a', 'h1');
  assert.equal(targetNode(pod), 'a');
  assert.equal(pod.metadata.labels?.[REVISION_HASH_LABEL], 'h1');
  assert.equal(pod.metadata.labels?.['pod-template-generation'], '2');
  assert.ok((pod.spec?.tolerations as { key: string }[]).some((t) => t.key === 'node.kubernetes.io/unreachable'));
  assert.equal(pod.metadata.ownerReferences?.[0].kind, 'DaemonSet');
});

test('status counts and misscheduled pods', () => {
  const plan = planDaemonSet(ds({ template: { spec: { nodeSelector: { role: 'x' } } } }), [node('a'), { metadata: { name: 'b', labels: { role: 'x' } } }], [readyPod('p1', 'a', 'h1'), readyPod('p2', 'b', 'h1')], 'h1', NOW);
  assert.deepEqual(plan.deletePods, ['p1']);
  assert.equal(plan.status.numberMisscheduled, 1);
  assert.deepEqual({ ...plan.status }, { currentNumberScheduled: 1, numberMisscheduled: 1, desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1 });
});

test('rolling update deletes at most maxUnavailable old pods', () => {
  const nodes = [node('a'), node('b'), node('c')];
  const pods = [readyPod('pa', 'a', 'old'), readyPod('pb', 'b', 'old'), readyPod('pc', 'c', 'old')];
  assert.equal(planDaemonSet(ds(), nodes, pods, 'new', NOW).deletePods.length, 1);
  assert.equal(planDaemonSet(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }), nodes, pods, 'new', NOW).deletePods.length, 2);
  assert.equal(planDaemonSet(ds({ updateStrategy: { type: 'OnDelete' } }), nodes, pods, 'new', NOW).deletePods.length, 0);
  // One node already missing its pod uses up the budget.
  const gap = planDaemonSet(ds(), nodes, pods.slice(1), 'new', NOW);
  assert.deepEqual(gap.createOn, ['a']);
  assert.deepEqual(gap.deletePods, []);
});

test('maxSurge creates the new pod before deleting the old one', () => {
  const s = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  const first = planDaemonSet(s, [node('a')], [readyPod('old', 'a', 'h0')], 'h1', NOW);
  assert.deepEqual(first.createOn, ['a']);
  assert.deepEqual(first.deletePods, []);
  const second = planDaemonSet(s, [node('a')], [readyPod('old', 'a', 'h0'), readyPod('new', 'a', 'h1')], 'h1', NOW);
  assert.deepEqual(second.deletePods, ['old']);
});
