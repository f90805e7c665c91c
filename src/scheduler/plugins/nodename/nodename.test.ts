import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState, Code } from '../../framework/interface.ts';
import { makeNode, makePod, nodeInfo } from '../testing.ts';
import { ErrReason, newNodeName } from './nodename.ts';

test('NodeName: fits only the named node, unresolvably elsewhere', () => {
  const p = newNodeName();
  const pod = makePod('p', { nodeName: 'a' });
  assert.equal(p.filter(new CycleState(), pod, nodeInfo(makeNode('a'))), undefined);
  const s = p.filter(new CycleState(), pod, nodeInfo(makeNode('b')));
  assert.equal(s?.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(s?.reasons, [ErrReason]);
  assert.equal(p.filter(new CycleState(), makePod('q'), nodeInfo(makeNode('b'))), undefined);
});
