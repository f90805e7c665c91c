import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../object.ts';
import { HpaV1Annotations, hpaV1ToV2, hpaV2ToV1 } from './hpa-versions.ts';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (n: number): Record<string, unknown> => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } } });

test('a CPU utilization target is v1 targetCPUUtilizationPercentage, and back', () => {
  const v2: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, metrics: [cpu(55)] } };
  const v1 = hpaV2ToV1(v2);
  assert.deepEqual(v1.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 55 });
  assert.equal(v1.metadata?.annotations, undefined);
  assert.deepEqual(v1.status, { currentReplicas: 0, desiredReplicas: 0 });
  assert.deepEqual((hpaV1ToV2(v1).spec as { metrics: unknown }).metrics, [cpu(55)]);
});

test('a v1 HPA without a target means 80% CPU in v2, and gets v1 and v2 defaults', () => {
  const v2 = hpaV1ToV2({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: ref, maxReplicas: 4 } });
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.deepEqual(v2.spec, { scaleTargetRef: ref, maxReplicas: 4, minReplicas: 1, metrics: [cpu(80)] });
});

test('other metrics, current metrics, conditions and behavior survive a v1 round trip', () => {
  const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
  const pods = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };
  const external = { type: 'External', external: { metric: { name: 'queue', selector: { matchLabels: { q: 'a' } } }, target: { type: 'Value', value: '5' } } };
  const behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] }, scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Min', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
  const currentMetrics = [
    { type: 'Resource', resource: { name: 'memory', current: { averageValue: '50Mi' } } },
    { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '100m', averageUtilization: 20 } } },
  ];
  const conditions = [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2026-11-26T00:00:00Z', reason: 'SucceededGetScale', message: 'ok' }];
  const v2: KubeObject = {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', annotations: { keep: 'me' } },
    spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 9, metrics: [memory, cpu(70), pods, external], behavior },
    status: { observedGeneration: 3, currentReplicas: 2, desiredReplicas: 3, currentMetrics, conditions },
  };
  const v1 = hpaV2ToV1(v2);
  const annotations = v1.metadata?.annotations ?? {};
  assert.equal((v1.spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage, 70);
  assert.equal((v1.status as { currentCPUUtilizationPercentage: number }).currentCPUUtilizationPercentage, 20);
  assert.deepEqual(JSON.parse(annotations[HpaV1Annotations.metrics] ?? ''), [
    { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
    { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
    { type: 'External', external: { metricName: 'queue', metricSelector: { matchLabels: { q: 'a' } }, targetValue: '5' } },
  ]);
  assert.deepEqual(JSON.parse(annotations[HpaV1Annotations.behavior] ?? '').ScaleDown, { StabilizationWindowSeconds: 60, SelectPolicy: 'Min', Policies: [{ Type: 'Percent', Value: 100, PeriodSeconds: 15 }], Tolerance: null });
  assert.equal(annotations.keep, 'me');
  const back = hpaV1ToV2(v1);
  // The CPU target comes back last, as upstream's conversion puts it.
  assert.deepEqual((back.spec as { metrics: unknown }).metrics, [memory, pods, external, cpu(70)]);
  assert.deepEqual((back.spec as { behavior: unknown }).behavior, behavior);
  assert.deepEqual(back.status, {
    observedGeneration: 3, currentReplicas: 2, desiredReplicas: 3, conditions,
    currentMetrics: [
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '50Mi' } } },
      { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '100m', averageUtilization: 20 } } },
    ],
  });
  assert.deepEqual(back.metadata?.annotations, { keep: 'me' });
});

test('an annotation that does not parse stays an annotation', () => {
  const v2 = hpaV1ToV2({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', annotations: { [HpaV1Annotations.metrics]: 'not json' } }, spec: { scaleTargetRef: ref, maxReplicas: 2, targetCPUUtilizationPercentage: 30 } });
  assert.deepEqual(v2.metadata?.annotations, { [HpaV1Annotations.metrics]: 'not json' });
  assert.deepEqual((v2.spec as { metrics: unknown }).metrics, [cpu(30)]);
});
