import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredTaints, evictionTime, markUnknown, UNREACHABLE_TAINT } from './health.ts';
import type { Node } from './health.ts';

const node = (ready: string, taints: Node['spec'] = {}): Node => ({ metadata: { name: 'n1' }, spec: taints, status: { conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady' }] } });

test('a silent node gets Unknown conditions with upstream reasons', () => {
  const conds = markUnknown(node('True'), '2026-01-01T00:00:00Z');
  assert.ok(conds !== undefined);
  const ready = conds.find((c) => c.type === 'Ready');
  assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.equal(markUnknown({ metadata: { name: 'n' }, status: { conditions: conds } }, 'x'), undefined);
});

test('Ready=Unknown means unreachable taints; Ready=True removes them and keeps others', () => {
  const t = desiredTaints(node('Unknown'), 'T');
  assert.deepEqual(t.map((x) => `${x.key}:${x.effect}`).sort(), [`${UNREACHABLE_TAINT}:NoExecute`, `${UNREACHABLE_TAINT}:NoSchedule`]);
  const healed = desiredTaints(node('True', { taints: [...t, { key: 'dedicated', effect: 'NoSchedule' }] }), 'T');
  assert.deepEqual(healed.map((x) => x.key), ['dedicated']);
});

test('eviction: untolerated now, tolerationSeconds after timeAdded, forever never', () => {
  const taints = [{ key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }];
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(evictionTime([], taints, t0), 'now');
  assert.equal(evictionTime([{ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], taints, t0), t0 + 300_000);
  assert.equal(evictionTime([{ operator: 'Exists' }], taints, t0), 'never');
});
