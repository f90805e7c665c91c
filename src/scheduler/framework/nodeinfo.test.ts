import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode } from '../plugins/testing.ts';
import { NodeInfo } from './nodeinfo.ts';

test('NodeInfo keeps spec.unschedulable and spec.taints beside the node, through updates, clones and removal', () => {
  const n = new NodeInfo('a');
  n.setNode(makeNode('a', { spec: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] } }));
  assert.equal(n.unschedulable, true);
  assert.deepEqual(n.taints, [{ key: 'k', effect: 'NoSchedule' }]);
  const c = n.clone();
  assert.equal(c.unschedulable, true);
  assert.equal(c.taints, n.taints);
  n.setNode(makeNode('a', { spec: { taints: [] } }));
  assert.equal(n.unschedulable, false);
  assert.equal(n.taints, undefined, 'an empty taint list reads as none');
  assert.equal(c.unschedulable, true, 'the clone is independent');
  n.setNode(makeNode('a', { spec: { unschedulable: true } }));
  n.unsetNode();
  assert.equal(n.node, undefined);
  assert.equal(n.unschedulable, false);
  assert.equal(n.taints, undefined);
});
