import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, Status } from './framework/interface.ts';
import { fitErrorMessage, FitError, numFeasibleNodesToFind, schedulePod, selectHost, NO_NODES_AVAILABLE } from './algorithm.ts';
import { Framework } from './framework/runtime.ts';
import { defaultPlugins, inTreeRegistry } from './plugins/registry.ts';
import { handleOf, makeNode, makePod, nodeInfo } from './plugins/testing.ts';
import type { NodeInfo } from './framework/nodeinfo.ts';

test('fitErrorMessage: upstream histogram, sorted, then the PostFilter message', () => {
  const nodeToStatus = new Map([
    ['a', new Status(Code.Unschedulable, ['Insufficient cpu'])],
    ['b', new Status(Code.UnschedulableAndUnresolvable, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'])],
    ['c', new Status(Code.UnschedulableAndUnresolvable, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'])],
  ]);
  const d = { nodeToStatus, unschedulablePlugins: new Set<string>(), preFilterMsg: '', postFilterMsg: 'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.' };
  assert.equal(
    fitErrorMessage(3, d),
    '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
  );
  assert.equal(fitErrorMessage(2, { ...d, preFilterMsg: 'pod has unbound immediate PersistentVolumeClaims', postFilterMsg: '' }), '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
});

test('numFeasibleNodesToFind: all below 100 nodes, adaptive percentage above', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(1000), 420);
  assert.equal(numFeasibleNodesToFind(5000), 500);
  assert.equal(numFeasibleNodesToFind(200), 100 > 200 * 0.49 ? 100 : 98);
  assert.equal(numFeasibleNodesToFind(5000, 100), 5000);
});

function fwk(): Framework {
  return new Framework({ schedulerName: 'default-scheduler', plugins: defaultPlugins }, inTreeRegistry(), () => Promise.resolve());
}

test('schedulePod: picks a feasible node, reports every rejection otherwise', () => {
  const nodes: NodeInfo[] = [
    nodeInfo(makeNode('small', { allocatable: { cpu: '1', memory: '1Gi', pods: '110' } })),
    nodeInfo(makeNode('big', { allocatable: { cpu: '8', memory: '8Gi', pods: '110' } })),
    nodeInfo(makeNode('tainted', { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] } })),
  ];
  const snap = { ...handleOf(nodes), nominatedPods: () => undefined };
  const pos = { nextStartNodeIndex: 0, percentageOfNodesToScore: 0 };
  const f = fwk();
  assert.equal(schedulePod(f, f.newCycleState(), makePod('p', {}, { requests: { cpu: '2' } }), snap, pos).nodeName, 'big');
  assert.throws(
    () => schedulePod(f, f.newCycleState(), makePod('q', {}, { requests: { cpu: '20' } }), snap, pos),
    (e: unknown) => e instanceof FitError && e.message === '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu.' && e.diagnosis.unschedulablePlugins.has('NodeResourcesFit'),
  );
  assert.throws(() => schedulePod(f, f.newCycleState(), makePod('r'), { ...handleOf([]), nominatedPods: () => undefined }, pos), new RegExp(NO_NODES_AVAILABLE));
});

test('schedulePod: nominated pods of higher priority hold their space', () => {
  const n = nodeInfo(makeNode('only', { allocatable: { cpu: '1', memory: '1Gi', pods: '110' } }));
  const nominee = makePod('nominee', { priority: 100 }, { requests: { cpu: '1' } });
  const snap = { ...handleOf([n]), nominatedPods: (node: string) => (node === 'only' ? [nominee] : undefined) };
  const f = fwk();
  const pos = { nextStartNodeIndex: 0, percentageOfNodesToScore: 0 };
  assert.throws(() => schedulePod(f, f.newCycleState(), makePod('low', { priority: 1 }, { requests: { cpu: '500m' } }), snap, pos), FitError);
  assert.equal(schedulePod(f, f.newCycleState(), makePod('higher', { priority: 200 }, { requests: { cpu: '500m' } }), snap, pos).nodeName, 'only');
});

test('runFilters: a Filter whose PreFilter returned Skip is not run, also on a cloned state', () => {
  const ran: string[] = [];
  const registry = inTreeRegistry()
    .register('Skipper', () => ({ name: 'Skipper', preFilter: () => new Status(Code.Skip), filter: () => (ran.push('Skipper'), new Status(Code.Unschedulable, ['no'])) }))
    .register('Runner', () => ({ name: 'Runner', filter: () => (ran.push('Runner'), undefined) }));
  const f = new Framework({ schedulerName: 's', plugins: [{ name: 'Skipper' }, { name: 'Runner' }, { name: 'DefaultBinder' }] }, registry, () => Promise.resolve());
  const n = nodeInfo(makeNode('a'));
  const st = f.newCycleState();
  assert.equal(f.runPreFilter(st, makePod('p'), handleOf([n])), undefined);
  assert.equal(f.runFilters(st, makePod('p'), n), undefined);
  assert.equal(f.runFilters(st.clone(), makePod('p'), n), undefined);
  assert.deepEqual(ran, ['Runner', 'Runner']);
  // Without PreFilter having run, nothing is skipped.
  assert.deepEqual(f.runFilters(f.newCycleState(), makePod('p'), n)?.reasons, ['no']);
});

test('selectHost: the highest score; among ties the k-th, k drawn uniformly from one random number', (t) => {
  assert.equal(selectHost(Float64Array.from([1, 7, 3])), 1);
  const ties = Float64Array.from([1, 5, 5, 2, 5]);
  const picks = [0, 0.34, 0.5, 0.67, 0.9999].map((r) => {
    t.mock.method(Math, 'random', () => r);
    const i = selectHost(ties);
    t.mock.restoreAll();
    return i;
  });
  assert.deepEqual(picks, [1, 2, 2, 4, 4]);
});
