/**
 * PodDisruptionBudget status (upstream's disruption controller, pure part): expected pods,
 * desired and current healthy, and how many disruptions are allowed now.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import type { Pod } from '../history/pods.ts';
import { isReady } from '../history/pods.ts';
import { scaledValue } from '../history/intstr.ts';

/** policy/v1 PodDisruptionBudget (fields read here). */
export interface PodDisruptionBudget extends KubeObject {
  spec?: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | null;
    unhealthyPodEvictionPolicy?: string;
  };
  status?: PdbStatus;
}

/** policy/v1 PodDisruptionBudgetStatus. */
export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: { type: string; status: string; reason: string; message: string; lastTransitionTime: string; observedGeneration?: number }[];
}

/** Upstream's DeletionTimeout: an eviction recorded in disruptedPods counts for at most 2 minutes. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** How many pods the controllers of the selected pods want, or an error text when one is unknown (upstream's getExpectedScale). */
export type ScaleOf = (pod: DeepReadonly<Pod>) => { key: string; replicas: number } | string;

/** Computes the PDB's status from its pods (already selected) at `nowMs`. */
export function planPdb(pdb: DeepReadonly<PodDisruptionBudget>, pods: readonly DeepReadonly<Pod>[], scaleOf: ScaleOf, nowMs: number): { status: PdbStatus; recheckAfterMs?: number } {
  const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const old = pdb.status;
  // disruptedPods: drop pods that are gone, already deleting, or whose eviction expired.
  const disrupted: Record<string, string> = {};
  let recheckAfterMs: number | undefined;
  const byName = new Map(pods.map((p) => [p.metadata.name ?? '', p]));
  for (const [name, at] of Object.entries(old?.disruptedPods ?? {})) {
    const p = byName.get(name);
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (p === undefined || p.metadata.deletionTimestamp !== undefined || expires <= nowMs) {
      continue;
    }
    disrupted[name] = at;
    recheckAfterMs = Math.min(recheckAfterMs ?? Infinity, expires - nowMs);
  }
  const currentHealthy = pods.filter((p) => p.metadata.deletionTimestamp === undefined && disrupted[p.metadata.name ?? ''] === undefined && isReady(p)).length;

  let expected = 0;
  let desired = 0;
  let failure: string | undefined;
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable === undefined && typeof spec.minAvailable === 'number') {
    expected = pods.length;
    desired = spec.minAvailable;
  } else if (spec.maxUnavailable === undefined && spec.minAvailable === undefined) {
    // Neither set (invalid in policy/v1, but be safe): nothing may be disrupted beyond what is healthy.
    expected = pods.length;
    desired = pods.length;
  } else {
    const seen = new Map<string, number>();
    for (const p of pods) {
      const s = scaleOf(p);
      if (typeof s === 'string') {
        failure = s;
        break;
      }
      seen.set(s.key, s.replicas);
    }
    expected = [...seen.values()].reduce((a, b) => a + b, 0);
    if (spec.maxUnavailable !== undefined) {
      desired = Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true, 0));
    } else {
      desired = scaledValue(spec.minAvailable, expected, true, 0);
    }
  }
  const allowed = failure !== undefined ? 0 : Math.max(0, currentHealthy - desired);
  const cond = failure !== undefined ? { status: 'False', reason: 'SyncFailed', message: failure } : allowed > 0 ? { status: 'True', reason: 'SufficientPods', message: '' } : { status: 'False', reason: 'InsufficientPods', message: '' };
  const prev = old?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const lastTransitionTime = prev !== undefined && prev.status === cond.status && prev.reason === cond.reason ? prev.lastTransitionTime : now;
  const status: PdbStatus = {
    observedGeneration: pdb.metadata.generation,
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed,
    currentHealthy,
    // Upstream's failSafe keeps the last known counts and only zeroes disruptionsAllowed.
    desiredHealthy: failure !== undefined ? (old?.desiredHealthy ?? 0) : desired,
    expectedPods: failure !== undefined ? (old?.expectedPods ?? 0) : expected,
    conditions: [{ type: 'DisruptionAllowed', ...cond, lastTransitionTime, observedGeneration: pdb.metadata.generation }],
  };
  return { status, recheckAfterMs };
}
