/**
 * Replica counts from resource metrics, with the semantics of upstream's ReplicaCalculator
 * (pkg/controller/podautoscaler/replica_calculator.go): pods being deleted or failed are
 * ignored; pending pods, and for CPU pods not yet ready or still warming up, count as unready;
 * pods without a sample are "missing". Missing pods are assumed at 100% of their request when
 * scaling down and at 0 when scaling up, unready ones at 0 when scaling up, so a guess never
 * flips the direction; within the tolerance (10%) nothing changes.
 */
import { tryParseQuantity } from '../../api/quantity.ts';

/** The pod fields the calculation reads. */
export interface PodView {
  readonly metadata: { readonly name?: string; readonly deletionTimestamp?: string };
  readonly spec?: { readonly containers?: readonly { readonly name: string; readonly resources?: { readonly requests?: Readonly<Record<string, unknown>> } }[] };
  readonly status?: { readonly phase?: string; readonly startTime?: string; readonly conditions?: readonly { readonly type: string; readonly status: string; readonly lastTransitionTime?: string }[] };
}

/** One pod's sample: usage in milli-units (millicores, milli-bytes), when and over what window. */
export interface PodSample {
  readonly milli: number;
  readonly timestampMs: number;
  readonly windowMs: number;
}

/** What a resource metric asks for: a utilization (percent of requests) or an average value (milli-units). */
export type ResourceTarget = { readonly utilization: number } | { readonly averageMilli: number };

/** The answer: replicas wanted and what was observed (for status.currentMetrics). */
export interface ResourceReplicas {
  readonly replicas: number;
  /** Average usage per counted pod, milli-units. */
  readonly averageMilli: number;
  /** Usage as percent of requests (utilization targets only). */
  readonly utilization?: number;
}

/** Upstream's defaults: --horizontal-pod-autoscaler-tolerance, -cpu-initialization-period, -initial-readiness-delay. */
export const ReplicaDefaults = { tolerance: 0.1, cpuInitializationMs: 5 * 60_000, initialReadinessDelayMs: 30_000 } as const;

/** A calculation that cannot give a count; the message is upstream's. */
export class ReplicaCalculationError extends Error {}

function timeMs(t: string | undefined): number | undefined {
  const ms = t === undefined ? NaN : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

interface Grouped {
  readyCount: number;
  readonly unready: Set<string>;
  readonly missing: Set<string>;
  readonly ignored: Set<string>;
}

function groupPods(pods: readonly PodView[], samples: ReadonlyMap<string, PodSample>, resource: string, nowMs: number): Grouped {
  const g: Grouped = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp !== undefined || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const sample = samples.get(name);
    if (sample === undefined) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const started = timeMs(pod.status?.startTime);
      const transition = timeMs(ready?.lastTransitionTime) ?? 0;
      let unready: boolean;
      if (ready === undefined || started === undefined) {
        unready = true;
      } else if (started + ReplicaDefaults.cpuInitializationMs > nowMs) {
        // Still warming up: not ready, or no full window sampled since it became ready.
        unready = ready.status === 'False' || sample.timestampMs < transition + sample.windowMs;
      } else {
        // Past warm-up: ignored only if it never became ready.
        unready = ready.status === 'False' && started + ReplicaDefaults.initialReadinessDelayMs > transition;
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyCount++;
  }
  return g;
}

/** Each pod's summed container requests of resource (milli-units); a container without one is an error, as upstream. */
function podRequests(pods: readonly PodView[], resource: string, container: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      if (container !== undefined && c.name !== container) {
        continue;
      }
      const q = tryParseQuantity(c.resources?.requests?.[resource]);
      if (q === undefined) {
        throw new ReplicaCalculationError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name ?? ''}`);
      }
      sum += q.milliValue();
    }
    out.set(pod.metadata.name ?? '', sum);
  }
  return out;
}

/** Usage over target for the sampled pods: the ratio, and the observed utilization / average. */
function usageRatio(samples: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, target: ResourceTarget): { ratio: number; utilization?: number; averageMilli: number } {
  let usage = 0;
  let requested = 0;
  for (const [name, milli] of samples) {
    usage += milli;
    const r = requests.get(name);
    if (r !== undefined) {
      requested += r;
    }
  }
  const averageMilli = samples.size === 0 ? 0 : Math.trunc(usage / samples.size);
  if ('utilization' in target) {
    if (requested === 0) {
      throw new ReplicaCalculationError('no metrics returned matched known pods');
    }
    const utilization = Math.trunc((usage * 100) / requested);
    return { ratio: utilization / target.utilization, utilization, averageMilli };
  }
  return { ratio: usage / (target.averageMilli * samples.size), averageMilli };
}

/** Replicas for one resource metric (Resource or ContainerResource) given the pods the target selects and their samples. */
export function resourceReplicas(input: {
  readonly currentReplicas: number;
  readonly resource: string;
  readonly container?: string;
  readonly target: ResourceTarget;
  readonly pods: readonly PodView[];
  readonly samples: ReadonlyMap<string, PodSample>;
  readonly nowMs: number;
  readonly tolerance?: number;
}): ResourceReplicas {
  const { currentReplicas, resource, target, pods, nowMs } = input;
  const tolerance = input.tolerance ?? ReplicaDefaults.tolerance;
  if (pods.length === 0) {
    throw new ReplicaCalculationError('no pods returned by selector while calculating replica count');
  }
  const g = groupPods(pods, input.samples, resource, nowMs);
  const counted = new Map<string, number>();
  for (const [name, s] of input.samples) {
    if (!g.ignored.has(name) && !g.unready.has(name) && pods.some((p) => p.metadata.name === name)) {
      counted.set(name, s.milli);
    }
  }
  if (counted.size === 0) {
    throw new ReplicaCalculationError('did not receive metrics for targeted pods (pods might be unready)');
  }
  const requests = 'utilization' in target ? podRequests(pods, resource, input.container) : new Map<string, number>();
  const first = usageRatio(counted, requests, target);
  const withinTolerance = (r: number): boolean => Math.abs(1 - r) <= tolerance;
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    const replicas = withinTolerance(first.ratio) ? currentReplicas : Math.ceil(first.ratio * g.readyCount);
    return { replicas, averageMilli: first.averageMilli, utilization: first.utilization };
  }
  // Fill the gaps in the direction that dampens the change.
  const assumed = new Map(counted);
  for (const name of g.missing) {
    const full = 'utilization' in target ? (requests.get(name) ?? 0) : target.averageMilli;
    assumed.set(name, first.ratio < 1 ? full : 0);
  }
  if (scaleUpWithUnready) {
    for (const name of g.unready) {
      assumed.set(name, 0);
    }
  }
  const next = usageRatio(assumed, requests, target);
  const flipped = (first.ratio < 1 && next.ratio > 1) || (first.ratio > 1 && next.ratio < 1);
  if (withinTolerance(next.ratio) || flipped) {
    return { replicas: currentReplicas, averageMilli: first.averageMilli, utilization: first.utilization };
  }
  const replicas = Math.ceil(next.ratio * assumed.size);
  if ((next.ratio < 1 && replicas > currentReplicas) || (next.ratio > 1 && replicas < currentReplicas)) {
    return { replicas: currentReplicas, averageMilli: first.averageMilli, utilization: first.utilization };
  }
  return { replicas, averageMilli: first.averageMilli, utilization: first.utilization };
}
