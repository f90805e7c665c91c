import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/interface.ts';
import type { RPod } from '../../types.ts';
import { handleOf, makeNode, makePod, nodeInfo } from '../testing.ts';
import { ErrReasonAffinityRulesNotMatch, ErrReasonAntiAffinityRulesNotMatch, ErrReasonExistingAntiAffinityRulesNotMatch, newInterPodAffinity } from './interpodaffinity.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';

const term = (app: string, key = 'zone') => ({ labelSelector: { matchLabels: { app } }, topologyKey: key });

function run(pod: RPod, nodes: NodeInfo[]): (string | undefined)[] {
  const p = newInterPodAffinity();
  const st = new CycleState();
  p.preFilter(st, pod, handleOf(nodes));
  return nodes.map((n) => (st.skipFilter.has('InterPodAffinity') ? undefined : p.filter(st, pod, n)?.reasons[0]));
}

test('InterPodAffinity: required affinity needs a matching pod in the domain', () => {
  const a = nodeInfo(makeNode('a', { labels: { zone: 'z1' } }), [makePod('db', {}, { labels: { app: 'db' } })]);
  const b = nodeInfo(makeNode('b', { labels: { zone: 'z2' } }));
  const pod = makePod('web', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } });
  assert.deepEqual(run(pod, [a, b]), [undefined, ErrReasonAffinityRulesNotMatch]);
  // The first pod of a self-selecting group may go anywhere.
  const first = makePod('c1', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache')] } } }, { labels: { app: 'cache' } });
  assert.deepEqual(run(first, [a, b]), [undefined, undefined]);
});

test('InterPodAffinity: own anti-affinity and existing pods anti-affinity', () => {
  const a = nodeInfo(makeNode('a', { labels: { zone: 'z1' } }), [makePod('w1', {}, { labels: { app: 'web' } })]);
  const b = nodeInfo(makeNode('b', { labels: { zone: 'z2' } }));
  const pod = makePod('w2', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } }, { labels: { app: 'web' } });
  assert.deepEqual(run(pod, [a, b]), [ErrReasonAntiAffinityRulesNotMatch, undefined]);
  const guard = nodeInfo(makeNode('c', { labels: { zone: 'z3' } }), [makePod('g', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('batch')] } } })]);
  const batch = makePod('b1', {}, { labels: { app: 'batch' } });
  assert.deepEqual(run(batch, [b, guard]), [undefined, ErrReasonExistingAntiAffinityRulesNotMatch]);
  assert.deepEqual(run(makePod('other'), [b, guard]), [undefined, undefined]);
});
