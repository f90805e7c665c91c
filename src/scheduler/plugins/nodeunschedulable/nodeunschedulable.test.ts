import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/interface.ts';
import { makeNode, makePod, nodeInfo } from '../testing.ts';
import { newNodeUnschedulable } from './nodeunschedulable.ts';

test('NodeUnschedulable: cordoned nodes reject pods unless they tolerate the unschedulable taint', () => {
  const p = newNodeUnschedulable();
  const cordoned = nodeInfo(makeNode('a', { spec: { unschedulable: true } }));
  assert.deepEqual(p.filter(new CycleState(), makePod('p'), cordoned)?.reasons, ['node(s) were unschedulable']);
  const tolerant = makePod('t', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.equal(p.filter(new CycleState(), tolerant, cordoned), undefined);
  assert.equal(p.filter(new CycleState(), makePod('p'), nodeInfo(makeNode('b'))), undefined);
});
