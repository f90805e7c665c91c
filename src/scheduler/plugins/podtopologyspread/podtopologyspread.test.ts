import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, CycleState } from '../../framework/interface.ts';
import { handleOf, makeNode, makePod, nodeInfo } from '../testing.ts';
import { ErrReasonConstraintsNotMatch, ErrReasonNodeLabelNotMatch, newPodTopologySpread } from './podtopologyspread.ts';

const web = (name: string) => makePod(name, {}, { labels: { app: 'web' } });

test('PodTopologySpread: DoNotSchedule keeps skew within maxSkew', () => {
  const p = newPodTopologySpread();
  const a = nodeInfo(makeNode('a', { labels: { zone: 'z1' } }), [web('w1'), web('w2')]);
  const b = nodeInfo(makeNode('b', { labels: { zone: 'z2' } }), [web('w3')]);
  const c = nodeInfo(makeNode('c'));
  const pod = makePod('new', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] }, { labels: { app: 'web' } });
  const st = new CycleState();
  assert.equal(p.preFilter(st, pod, handleOf([a, b, c])), undefined);
  const sa = p.filter(st, pod, a);
  assert.equal(sa?.code, Code.Unschedulable);
  assert.deepEqual(sa?.reasons, [ErrReasonConstraintsNotMatch]);
  assert.equal(p.filter(st, pod, b), undefined);
  assert.deepEqual(p.filter(st, pod, c)?.reasons, [ErrReasonNodeLabelNotMatch]);
  // What-if removal (preemption): with w1 gone from z1 the skew allows z1 again.
  p.removePod?.(st, pod, a.pods[0].pod, a);
  p.removePod?.(st, pod, a.pods[1].pod, a);
  assert.equal(p.filter(st, pod, a), undefined);
});

test('PodTopologySpread: ScheduleAnyway prefers the emptier domain; pods without constraints skip', () => {
  const p = newPodTopologySpread();
  const a = nodeInfo(makeNode('a', { labels: { zone: 'z1' } }), [web('w1'), web('w2')]);
  const b = nodeInfo(makeNode('b', { labels: { zone: 'z2' } }));
  const pod = makePod('new', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] });
  const st = new CycleState();
  p.preScore(st, pod, [a, b], handleOf([a, b]));
  const scores = Float64Array.from([p.score(st, pod, a), p.score(st, pod, b)]);
  p.normalize?.(st, pod, scores);
  assert.ok(scores[1] > scores[0]);
  const plain = new CycleState();
  p.preFilter(plain, makePod('x'), handleOf([a, b]));
  assert.ok(plain.skipFilter.has('PodTopologySpread'));
});
