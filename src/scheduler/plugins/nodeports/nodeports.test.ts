import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/interface.ts';
import { makeNode, makePod, nodeInfo } from '../testing.ts';
import { ErrReason, newNodePorts } from './nodeports.ts';

const withPort = (name: string, hostPort: number, hostIP?: string, protocol?: string) => makePod(name, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }] });

test('NodePorts: host ports clash on the same port/protocol when IPs overlap', () => {
  const p = newNodePorts();
  const node = nodeInfo(makeNode('a'), [withPort('x', 8080, '10.0.0.1')]);
  const run = (pod: ReturnType<typeof withPort>) => {
    const st = new CycleState();
    p.preFilter(st, pod, undefined as never);
    return st.skipFilter.has('NodePorts') ? undefined : p.filter(st, pod, node);
  };
  assert.deepEqual(run(withPort('y', 8080))?.reasons, [ErrReason]);
  assert.deepEqual(run(withPort('y', 8080, '10.0.0.1'))?.reasons, [ErrReason]);
  assert.equal(run(withPort('y', 8080, '10.0.0.2')), undefined);
  assert.equal(run(withPort('y', 8080, undefined, 'UDP')), undefined);
  assert.equal(run(makePod('noports')), undefined);
});
