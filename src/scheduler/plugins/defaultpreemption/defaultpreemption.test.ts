import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code } from '../../framework/interface.ts';
import type { Status } from '../../framework/interface.ts';
import { Framework } from '../../framework/runtime.ts';
import { defaultPlugins, inTreeRegistry } from '../registry.ts';
import { handleOf, makeNode, makePod, nodeInfo } from '../testing.ts';
import { pickCandidate, splitByBudgetViolation } from './defaultpreemption.ts';
import { FitError, schedulePod } from '../../algorithm.ts';
import type { Snapshot } from '../../algorithm.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { RPod } from '../../types.ts';

function setup(nodes: NodeInfo[]): { fwk: Framework; snap: Snapshot } {
  const fwk = new Framework({ schedulerName: 'default-scheduler', plugins: defaultPlugins }, inTreeRegistry(), () => Promise.resolve());
  return { fwk, snap: { ...handleOf(nodes), nominatedPods: () => undefined } };
}

function preempt(pod: RPod, nodes: NodeInfo[]) {
  const { fwk, snap } = setup(nodes);
  const st = fwk.newCycleState();
  let filtered: ReadonlyMap<string, Status> = new Map();
  try {
    schedulePod(fwk, st, pod, snap, { nextStartNodeIndex: 0, percentageOfNodesToScore: 0 });
    assert.fail('expected no fit');
  } catch (e) {
    assert.ok(e instanceof FitError);
    filtered = e.diagnosis.nodeToStatus;
  }
  return fwk.runPostFilter(st, pod, filtered, snap);
}

const cpu = (name: string, c: string, priority: number) => makePod(name, { priority }, { requests: { cpu: c } });

test('DefaultPreemption: evicts the fewest lowest-priority pods, keeps what it can', () => {
  const a = nodeInfo(makeNode('a', { allocatable: { cpu: '2', memory: '8Gi', pods: '110' } }), [cpu('low1', '1', 1), cpu('low2', '1', 2)]);
  const b = nodeInfo(makeNode('b', { allocatable: { cpu: '2', memory: '8Gi', pods: '110' } }), [cpu('mid', '1', 50), cpu('mid2', '1', 60)]);
  const r = preempt(cpu('high', '1', 100), [a, b]);
  assert.equal(r?.status.code, Code.Success);
  assert.equal(r?.nominatedNodeName, 'a');
  assert.deepEqual(r?.victims?.map((v) => v.metadata.name), ['low1']);
});

test('DefaultPreemption: upstream messages when preemption cannot help', () => {
  const a = nodeInfo(makeNode('a', { allocatable: { cpu: '1', memory: '8Gi', pods: '110' } }), [cpu('same', '1', 100)]);
  const t = nodeInfo(makeNode('t', { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }));
  const r = preempt(cpu('p', '1', 100), [a, t]);
  assert.equal(r?.status.code, Code.Unschedulable);
  assert.equal(r?.status.message(), 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
  const never = makePod('n', { priority: 1000, preemptionPolicy: 'Never' }, { requests: { cpu: '1' } });
  assert.equal(preempt(never, [a])?.status.message(), 'preemption: not eligible due to preemptionPolicy=Never.');
});

test('pickCandidate: lowest top victim priority, then lowest sum, then fewest victims', () => {
  const v = (n: string, p: number) => makePod(n, { priority: p });
  const best = pickCandidate([
    { nodeName: 'x', victims: [v('a', 10)] },
    { nodeName: 'y', victims: [v('b', 5), v('c', 5)] },
    { nodeName: 'z', victims: [v('d', 5)] },
  ]);
  assert.equal(best?.nodeName, 'z');
});

test('DefaultPreemption: prefers the node whose victims violate no PodDisruptionBudget', () => {
  const node = (name: string, app: string) => nodeInfo(makeNode(name, { allocatable: { cpu: '1', memory: '8Gi', pods: '110' } }), [makePod(`${app}-pod`, { priority: 1 }, { labels: { app }, requests: { cpu: '1' } })]);
  // Same victim priority on both nodes: without budgets either would do; "guarded" may not lose a pod.
  const budgets = [{ metadata: { namespace: 'default', name: 'g' }, spec: { selector: { matchLabels: { app: 'guarded' } } }, status: { disruptionsAllowed: 0 } }];
  for (const order of [['a', 'b'], ['b', 'a']]) {
    const nodes = order.map((n) => node(n, n === 'a' ? 'guarded' : 'free'));
    const { fwk, snap } = setup(nodes);
    const withBudgets = { ...snap, podDisruptionBudgets: () => budgets };
    const st = fwk.newCycleState();
    const high = cpu('high', '1', 100);
    let filtered: ReadonlyMap<string, Status> = new Map();
    try {
      schedulePod(fwk, st, high, withBudgets, { nextStartNodeIndex: 0, percentageOfNodesToScore: 0 });
    } catch (e) {
      assert.ok(e instanceof FitError);
      filtered = e.diagnosis.nodeToStatus;
    }
    const r = fwk.runPostFilter(st, high, filtered, withBudgets);
    assert.equal(r?.nominatedNodeName, 'b', `order ${order.join(',')}`);
    assert.deepEqual(r?.victims?.map((v) => v.metadata.name), ['free-pod']);
  }
});

test('splitByBudgetViolation spends disruptionsAllowed pod by pod; already-disrupted pods are free', () => {
  const p = (name: string) => makePod(name, {}, { labels: { app: 'x' } });
  const budget = { metadata: { namespace: 'default', name: 'b' }, spec: { selector: { matchLabels: { app: 'x' } } }, status: { disruptionsAllowed: 1, disruptedPods: { gone: '2026-01-01T00:00:00Z' } } };
  const { violating, nonViolating } = splitByBudgetViolation([p('one'), p('gone'), p('two')], [budget]);
  assert.deepEqual(nonViolating.map((v) => v.metadata.name), ['one', 'gone']);
  assert.deepEqual(violating.map((v) => v.metadata.name), ['two']);
  const other = makePod('elsewhere', {}, { labels: { app: 'x' }, namespace: 'other' });
  assert.equal(splitByBudgetViolation([other], [budget]).violating.length, 0, 'budgets are per namespace');
});

test('pickCandidate: fewer PDB violations win before priorities', () => {
  const v = (n: string, p: number) => makePod(n, { priority: p });
  assert.equal(pickCandidate([{ nodeName: 'x', victims: [v('a', 1)], pdbViolations: 1 }, { nodeName: 'y', victims: [v('b', 50)], pdbViolations: 0 }])?.nodeName, 'y');
});
