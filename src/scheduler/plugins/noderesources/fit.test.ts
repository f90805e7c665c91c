import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, CycleState } from '../../framework/interface.ts';
import { makeNode, makePod, nodeInfo } from '../testing.ts';
import { newNodeResourcesFit } from './fit.ts';
import { newBalancedAllocation } from './balanced.ts';

test('NodeResourcesFit: requests vs allocatable minus requested', () => {
  const p = newNodeResourcesFit();
  const node = nodeInfo(makeNode('a', { allocatable: { cpu: '1', memory: '1Gi', pods: '110' } }), [makePod('x', {}, { requests: { cpu: '600m' } })]);
  assert.equal(p.filter(new CycleState(), makePod('ok', {}, { requests: { cpu: '400m' } }), node), undefined);
  const s = p.filter(new CycleState(), makePod('big', {}, { requests: { cpu: '500m', memory: '2Gi' } }), node);
  assert.equal(s?.code, Code.Unschedulable);
  assert.deepEqual(s?.reasons, ['Insufficient cpu', 'Insufficient memory']);
});

test('NodeResourcesFit: pod overhead, init containers, extended resources and pod count', () => {
  const p = newNodeResourcesFit();
  const node = nodeInfo(makeNode('a', { allocatable: { cpu: '1', memory: '1Gi', pods: '1', 'example.com/gpu': '1' } }));
  const overhead = makePod('o', { overhead: { cpu: '600m' } }, { requests: { cpu: '500m' } });
  assert.deepEqual(p.filter(new CycleState(), overhead, node)?.reasons, ['Insufficient cpu']);
  const init = makePod('i', { initContainers: [{ name: 'init', resources: { requests: { memory: '2Gi' } } }] });
  assert.deepEqual(p.filter(new CycleState(), init, node)?.reasons, ['Insufficient memory']);
  const gpus = makePod('g', {}, { requests: { 'example.com/gpu': '2' } });
  assert.deepEqual(p.filter(new CycleState(), gpus, node)?.reasons, ['Insufficient example.com/gpu']);
  assert.equal(p.filter(new CycleState(), makePod('g1', {}, { requests: { 'example.com/gpu': '1' } }), node), undefined);
  const full = nodeInfo(makeNode('b', { allocatable: { cpu: '1', memory: '1Gi', pods: '1' } }), [makePod('x')]);
  assert.deepEqual(p.filter(new CycleState(), makePod('y'), full)?.reasons, ['Too many pods']);
});

test('NodeResourcesFit scores emptier nodes higher; BalancedAllocation prefers even use', () => {
  const fit = newNodeResourcesFit();
  const bal = newBalancedAllocation();
  const empty = nodeInfo(makeNode('a'));
  const busy = nodeInfo(makeNode('b'), [makePod('x', {}, { requests: { cpu: '3', memory: '1Gi' } })]);
  const pod = makePod('p', {}, { requests: { cpu: '100m', memory: '100Mi' } });
  assert.ok(fit.score(new CycleState(), pod, empty) > fit.score(new CycleState(), pod, busy));
  assert.ok(bal.score(new CycleState(), pod, empty) > bal.score(new CycleState(), pod, busy));
});

test('BalancedAllocation, as upstream: actual requests (no non-zero defaults), BestEffort pods skipped', () => {
  const bal = newBalancedAllocation();
  assert.equal(bal.preScore(new CycleState(), makePod('besteffort'), [], undefined as never)?.code, Code.Skip);
  assert.equal(bal.preScore(new CycleState(), makePod('cpu-only', {}, { requests: { cpu: '100m' } }), [], undefined as never), undefined);
  // A node running a BestEffort pod counts none of it (the non-zero default would add 100m and 200Mi).
  const node = nodeInfo(makeNode('a', { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } }), [makePod('be')]);
  const pod = makePod('p', {}, { requests: { cpu: '2', memory: '4Gi' } });
  assert.equal(bal.score(new CycleState(), pod, node), 100, 'half of each: perfectly balanced');
  const skewed = makePod('q', {}, { requests: { cpu: '2' } });
  assert.equal(bal.score(new CycleState(), skewed, node), 75, 'cpu 0.5, memory 0: std 0.25');
});
