import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide } from './decide.ts';

const hpa = (minReplicas: number | undefined, maxReplicas: number) => ({ spec: { minReplicas, maxReplicas, metrics: [{ type: 'Resource', resource: { name: 'memory' } }] } });

test('bounds first: below min scales up to min, above max down to max (no metrics needed), as upstream', () => {
  const up = decide(hpa(3, 5), 1);
  assert.equal(up.desired, 3);
  assert.equal(up.rescaleReason, 'Current number of replicas below Spec.MinReplicas');
  assert.deepEqual(up.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['AbleToScale=True/SucceededRescale', 'ScalingLimited=True/TooFewReplicas']);
  const down = decide(hpa(undefined, 2), 4);
  assert.equal(down.desired, 2);
  assert.equal(down.rescaleReason, 'Current number of replicas above Spec.MaxReplicas');
});

test('within bounds and without a metrics API: no rescale, ScalingActive False with upstream\'s reason and warnings', () => {
  const d = decide(hpa(1, 5), 2);
  assert.equal(d.desired, 2);
  assert.equal(d.rescaleReason, undefined);
  assert.deepEqual(d.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['AbleToScale=True/SucceededGetScale', 'ScalingActive=False/FailedGetResourceMetric']);
  assert.match(d.conditions[1]?.message ?? '', /^the HPA was unable to compute the replica count: failed to get memory utilization: unable to get metrics for resource memory/);
  assert.deepEqual(d.warnings.map(([r]) => r), ['FailedGetResourceMetric', 'FailedComputeMetricsReplicas']);
});

test('a target scaled to zero disables autoscaling', () => {
  const d = decide(hpa(1, 5), 0);
  assert.equal(d.desired, 0);
  assert.equal(d.rescaleReason, undefined);
  assert.equal(d.conditions[1]?.reason, 'ScalingDisabled');
});
