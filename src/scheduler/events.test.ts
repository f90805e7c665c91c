import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignedPodUpdateMatters, nodeChangeEvents } from './events.ts';
import { makeNode, makePod } from './plugins/testing.ts';
import type { RNode, RPod } from './types.ts';

test('nodeChangeEvents: heartbeat-only updates are no events; real changes are classified', () => {
  const a = makeNode('a');
  assert.deepEqual(nodeChangeEvents(a, { ...a, status: { ...a.status, conditions: [{ type: 'Ready', status: 'True' }] } } as RNode), []);
  assert.deepEqual(nodeChangeEvents(a, makeNode('a', { spec: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] } })), ['NodeTaintChange', 'NodeSchedulableChange']);
  assert.deepEqual(nodeChangeEvents(a, makeNode('a', { allocatable: { cpu: '8' }, labels: { zone: 'z' } })), ['NodeAllocatableChange', 'NodeLabelChange']);
});

test('assignedPodUpdateMatters: status-only writes do not, label or request changes do', () => {
  const p = makePod('p', {}, { requests: { cpu: '1' }, labels: { a: '1' } });
  assert.equal(assignedPodUpdateMatters(p, { ...p, status: { phase: 'Running' } } as RPod), false);
  assert.equal(assignedPodUpdateMatters(p, { ...p, metadata: { ...p.metadata, labels: { a: '2' } } } as RPod), true);
  assert.equal(assignedPodUpdateMatters(p, makePod('p', {}, { requests: { cpu: '500m' }, labels: { a: '1' } })), true);
});
