import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, CycleState } from '../../framework/interface.ts';
import { makeNode, makePod, nodeInfo } from '../testing.ts';
import { newTaintToleration } from './tainttoleration.ts';

test('TaintToleration: untolerated NoSchedule taint rejects with upstream text', () => {
  const p = newTaintToleration();
  const node = nodeInfo(makeNode('a', { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'gpu', value: 'yes', effect: 'NoExecute' }] } }));
  const s = p.filter(new CycleState(), makePod('p'), node);
  assert.equal(s?.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(s?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  const partly = makePod('q', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] });
  assert.deepEqual(p.filter(new CycleState(), partly, node)?.reasons, ['node(s) had untolerated taint {gpu: yes}']);
  const all = makePod('r', { tolerations: [{ operator: 'Exists' }] });
  assert.equal(p.filter(new CycleState(), all, node), undefined);
  const wrongValue = makePod('s', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }, { key: 'gpu', operator: 'Equal', value: 'no' }] });
  assert.deepEqual(p.filter(new CycleState(), wrongValue, node)?.reasons, ['node(s) had untolerated taint {gpu: yes}']);
});

test('TaintToleration: PreferNoSchedule taints lower the normalised score', () => {
  const p = newTaintToleration();
  const clean = nodeInfo(makeNode('a'));
  const tainted = nodeInfo(makeNode('b', { spec: { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] } }));
  const st = new CycleState();
  const pod = makePod('p');
  p.preScore(st, pod, [clean, tainted], undefined as never);
  const scores = Float64Array.from([p.score(st, pod, clean), p.score(st, pod, tainted)]);
  p.normalize?.(st, pod, scores);
  assert.deepEqual([...scores], [100, 0]);
});
