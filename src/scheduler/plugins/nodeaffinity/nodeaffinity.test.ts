import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, CycleState } from '../../framework/interface.ts';
import { handleOf, makeNode, makePod, nodeInfo } from '../testing.ts';
import { ErrReasonPod, newNodeAffinity } from './nodeaffinity.ts';

test('NodeAffinity: nodeSelector and required terms filter; preferred terms score', () => {
  const p = newNodeAffinity();
  const ssd = nodeInfo(makeNode('a', { labels: { disk: 'ssd', zone: 'z1' } }));
  const hdd = nodeInfo(makeNode('b', { labels: { disk: 'hdd', zone: 'z2' } }));
  const sel = makePod('p', { nodeSelector: { disk: 'ssd' } });
  assert.equal(p.filter(new CycleState(), sel, ssd), undefined);
  assert.deepEqual(p.filter(new CycleState(), sel, hdd)?.reasons, [ErrReasonPod]);
  const req = makePod('q', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] }] } } } });
  assert.notEqual(p.filter(new CycleState(), req, ssd), undefined);
  assert.equal(p.filter(new CycleState(), req, hdd), undefined);
  const byName = makePod('n', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } } });
  assert.notEqual(p.filter(new CycleState(), byName, ssd), undefined);
  assert.equal(p.filter(new CycleState(), byName, hdd), undefined);
  const pref = makePod('r', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] } }] } } });
  const scores = Float64Array.from([p.score(new CycleState(), pref, ssd), p.score(new CycleState(), pref, hdd)]);
  p.normalize?.(new CycleState(), pref, scores);
  assert.deepEqual([...scores], [0, 100]);
});

test('NodeAffinity: PreFilter skips pods without selector or required terms; PreScore skips pods without preferred terms', () => {
  const p = newNodeAffinity();
  assert.equal(p.preFilter(new CycleState(), makePod('plain'), handleOf([]))?.code, Code.Skip);
  assert.equal(p.preFilter(new CycleState(), makePod('sel', { nodeSelector: { disk: 'ssd' } }), handleOf([])), undefined);
  const req = makePod('req', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] } } } });
  assert.equal(p.preFilter(new CycleState(), req, handleOf([])), undefined);
  assert.equal(p.preScore(new CycleState(), req, [], handleOf([]))?.code, Code.Skip);
  const pref = makePod('pref', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }] } } });
  assert.equal(p.preScore(new CycleState(), pref, [], handleOf([])), undefined);
});
