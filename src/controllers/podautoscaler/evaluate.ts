/**
 * Every metric of an HPA to one replica recommendation, as upstream's computeReplicasForMetrics:
 * the highest count any valid metric asks for; status.currentMetrics index-aligned with
 * spec.metrics (an empty status where a metric failed); when every metric fails, or some fail
 * and the rest would scale down, no recommendation and ScalingActive=False with the first error.
 */
import { Quantity } from '../../api/quantity.ts';
import type { RestClient } from '../../client/index.ts';
import type { HpaCondition } from './decide.ts';
import { NoMetricsApiError, podSamples } from './metrics.ts';
import { ReplicaCalculationError, resourceReplicas } from './replicas.ts';
import type { PodView, ResourceTarget } from './replicas.ts';

/** One spec.metrics entry (autoscaling/v2). */
export interface MetricSpec {
  readonly type?: string;
  readonly resource?: { readonly name?: string; readonly target?: MetricTarget };
  readonly containerResource?: { readonly name?: string; readonly container?: string; readonly target?: MetricTarget };
  readonly pods?: { readonly metric?: { readonly name?: string } };
  readonly object?: { readonly metric?: { readonly name?: string } };
  readonly external?: { readonly metric?: { readonly name?: string } };
}

interface MetricTarget {
  readonly type?: string;
  readonly averageUtilization?: number;
  readonly averageValue?: string | number;
}

/** The outcome for all metrics. */
export type MetricsOutcome =
  | { readonly kind: 'noApi' }
  | { readonly kind: 'failed'; readonly scalingActive: HpaCondition; readonly warnings: (readonly [string, string])[]; readonly statuses: unknown[] }
  | { readonly kind: 'computed'; readonly replicas: number; readonly metricName: string; readonly warnings: (readonly [string, string])[]; readonly statuses: unknown[] };

interface OneMetric {
  readonly replicas: number;
  readonly metricName: string;
  readonly status: unknown;
}

class MetricError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

function targetOf(name: string, t: MetricTarget | undefined): ResourceTarget {
  if (t?.type === 'Utilization' && typeof t.averageUtilization === 'number') {
    return { utilization: t.averageUtilization };
  }
  if (t?.type === 'AverageValue' && t.averageValue !== undefined) {
    return { averageMilli: Quantity.parse(t.averageValue).milliValue() };
  }
  throw new MetricError('FailedGetResourceMetric', `invalid resource metric source: neither a utilization target nor a value target was set for ${name}`);
}

async function resourceMetric(input: { client: RestClient; namespace: string; selector: string; pods: readonly PodView[]; currentReplicas: number; nowMs: number }, m: MetricSpec): Promise<OneMetric> {
  const container = m.type === 'ContainerResource' ? m.containerResource?.container : undefined;
  const source = m.type === 'ContainerResource' ? m.containerResource : m.resource;
  const name = source?.name ?? '';
  const target = targetOf(name, source?.target);
  const what = 'utilization' in target ? 'utilization' : 'usage';
  let samples;
  try {
    samples = await podSamples(input.client, input.namespace, input.selector, name, container);
  } catch (e) {
    if (e instanceof NoMetricsApiError) {
      throw e;
    }
    throw new MetricError('FailedGetResourceMetric', `failed to get ${name} ${what}: unable to get metrics for resource ${name}: unable to fetch metrics from resource metrics API: ${(e as Error).message}`);
  }
  if (samples.size === 0) {
    throw new MetricError('FailedGetResourceMetric', `failed to get ${name} ${what}: unable to get metrics for resource ${name}: no metrics returned from resource metrics API`);
  }
  let r;
  try {
    r = resourceReplicas({ currentReplicas: input.currentReplicas, resource: name, container, target, pods: input.pods, samples, nowMs: input.nowMs });
  } catch (e) {
    if (e instanceof ReplicaCalculationError) {
      throw new MetricError('FailedGetResourceMetric', `failed to get ${name} ${what}: ${e.message}`);
    }
    throw e;
  }
  const current = { averageValue: Quantity.fromMilli(r.averageMilli).toString(), ...(r.utilization === undefined ? {} : { averageUtilization: r.utilization }) };
  const kindWord = container === undefined ? 'resource' : 'container resource';
  return {
    replicas: r.replicas,
    metricName: 'utilization' in target ? `${name} ${kindWord} utilization (percentage of request)` : `${name} ${kindWord}`,
    status: m.type === 'ContainerResource' ? { type: 'ContainerResource', containerResource: { name, container, current } } : { type: 'Resource', resource: { name, current } },
  };
}

/** The failure of a metric type that needs a custom or external metrics API (k8ts serves none). */
function customMetricError(m: MetricSpec): MetricError {
  switch (m.type) {
    case 'Pods':
      return new MetricError('FailedGetPodsMetric', `unable to get metric ${m.pods?.metric?.name ?? ''}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`);
    case 'Object':
      return new MetricError('FailedGetObjectMetric', `unable to get metric ${m.object?.metric?.name ?? ''}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`);
    case 'External':
      return new MetricError('FailedGetExternalMetric', `unable to get external metric ${m.external?.metric?.name ?? ''}: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered`);
    default:
      return new MetricError('InvalidMetricSourceType', `unknown metric source type "${m.type ?? ''}"`);
  }
}

/** The word upstream uses in "failed to get <x> resource metric value" style messages. */
function metricValueLabel(m: MetricSpec): string {
  if (m.type === 'Resource' || m.type === 'ContainerResource') {
    return `${(m.type === 'ContainerResource' ? m.containerResource?.name : m.resource?.name) ?? ''} ${m.type === 'ContainerResource' ? 'container ' : ''}resource metric value`;
  }
  return `${(m.type ?? '').toLowerCase()} metric value`;
}

/** Every metric of spec.metrics evaluated against the pods the target selects. */
export async function computeMetricReplicas(input: {
  readonly client: RestClient;
  readonly namespace: string;
  readonly selector: string;
  readonly metrics: readonly MetricSpec[];
  readonly pods: readonly PodView[];
  readonly currentReplicas: number;
  readonly nowMs: number;
}): Promise<MetricsOutcome> {
  const statuses: unknown[] = [];
  const warnings: [string, string][] = [];
  let best: OneMetric | undefined;
  let firstError: { error: MetricError; label: string } | undefined;
  let invalid = 0;
  for (const m of input.metrics) {
    try {
      if (m.type !== 'Resource' && m.type !== 'ContainerResource') {
        throw customMetricError(m);
      }
      const one = await resourceMetric(input, m);
      statuses.push(one.status);
      if (best === undefined || one.replicas > best.replicas) {
        best = one;
      }
    } catch (e) {
      if (e instanceof NoMetricsApiError) {
        return { kind: 'noApi' };
      }
      const error = e instanceof MetricError ? e : new MetricError('FailedGetResourceMetric', (e as Error).message);
      invalid++;
      firstError ??= { error, label: metricValueLabel(m) };
      warnings.push([error.reason, error.message]);
      statuses.push({ type: '' });
    }
  }
  if (firstError !== undefined) {
    warnings.push(['FailedComputeMetricsReplicas', `invalid metrics (${invalid} invalid out of ${input.metrics.length}), first error is: failed to get ${firstError.label}: ${firstError.error.message}`]);
  }
  // Some metrics failing and the rest scaling down: too little is known to remove pods.
  if (best === undefined || (firstError !== undefined && best.replicas < input.currentReplicas)) {
    const error = firstError?.error ?? new MetricError('FailedGetResourceMetric', 'no metrics');
    return { kind: 'failed', scalingActive: { type: 'ScalingActive', status: 'False', reason: error.reason, message: `the HPA was unable to compute the replica count: ${error.message}` }, warnings, statuses };
  }
  return { kind: 'computed', replicas: best.replicas, metricName: best.metricName, warnings, statuses };
}
