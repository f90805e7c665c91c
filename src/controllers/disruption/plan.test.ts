import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../history/pods.ts';
import type { PodDisruptionBudget } from './plan.ts';
import { planPdb } from './plan.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const ready = (name: string, isReady = true): Pod => ({ metadata: { name }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }] } });
const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({ metadata: { name: 'b', namespace: 'ns', generation: 3 }, spec: { selector: {}, ...spec }, status });
const scale5 = (): { key: string; replicas: number } => ({ key: 'Deployment/u', replicas: 5 });

test('minAvailable integer counts the selected pods', () => {
  const { status } = planPdb(pdb({ minAvailable: 2 }), [ready('a'), ready('b'), ready('c', false)], scale5, NOW);
  assert.equal(status.expectedPods, 3);
  assert.equal(status.desiredHealthy, 2);
  assert.equal(status.currentHealthy, 2);
  assert.equal(status.disruptionsAllowed, 0);
  assert.equal(status.observedGeneration, 3);
  assert.deepEqual(status.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
});

test('maxUnavailable uses the controllers\u2019 scale', () => {
  const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => ready(n));
  const { status } = planPdb(pdb({ maxUnavailable: 1 }), pods, scale5, NOW);
  assert.deepEqual([status.expectedPods, status.desiredHealthy, status.currentHealthy, status.disruptionsAllowed], [5, 4, 5, 1]);
  assert.equal(status.conditions?.[0].reason, 'SufficientPods');
  const pct = planPdb(pdb({ minAvailable: '50%' }), pods, scale5, NOW).status;
  assert.equal(pct.desiredHealthy, 3, '50% of 5 rounds up');
});

test('an unknown controller fails safe with SyncFailed', () => {
  const { status } = planPdb(pdb({ maxUnavailable: 1 }), [ready('a')], () => 'found no controllers for pod "a"', NOW);
  assert.equal(status.disruptionsAllowed, 0);
  assert.equal(status.conditions?.[0].reason, 'SyncFailed');
});

test('recent evictions in disruptedPods are not healthy; expired ones drop out', () => {
  const recent = new Date(NOW - 10_000).toISOString();
  const stale = new Date(NOW - 300_000).toISOString();
  const { status, recheckAfterMs } = planPdb(pdb({ minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptedPods: { a: recent, b: stale } }), [ready('a'), ready('b'), ready('c')], scale5, NOW);
  assert.deepEqual(status.disruptedPods, { a: recent });
  assert.equal(status.currentHealthy, 2);
  assert.equal(status.disruptionsAllowed, 1);
  assert.equal(recheckAfterMs, 110_000);
});
