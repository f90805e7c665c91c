/** ReplicaSet/ReplicationController status as upstream's calculateStatus computes it. */
import type { DeepReadonly } from '../../api/object.ts';
import type { LabelSelector } from '../../api/selectors/index.ts';
import { isPodAvailable, isPodReady } from './pods.ts';
import type { Pod } from './pods.ts';

/** A ReplicaSet/RC status condition. */
export interface ReplicaCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The status block both kinds share. */
export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

/**
 * Counts from the controller's active pods; fullyLabeled = pods carrying every template label.
 * Zero counters are omitted, as upstream's omitempty serialisation does.
 */
export function calculateStatus(pods: readonly DeepReadonly<Pod>[], templateLabels: LabelSelector, minReadySeconds: number, generation: number | undefined, conditions: readonly ReplicaCondition[] | undefined): ReplicaStatus {
  let fully = 0;
  let ready = 0;
  let available = 0;
  const now = Date.now();
  for (const p of pods) {
    if (templateLabels.matches(p.metadata.labels)) {
      fully++;
    }
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReadySeconds, now)) {
        available++;
      }
    }
  }
  const s: ReplicaStatus = { replicas: pods.length };
  if (fully > 0) {
    s.fullyLabeledReplicas = fully;
  }
  if (ready > 0) {
    s.readyReplicas = ready;
  }
  if (available > 0) {
    s.availableReplicas = available;
  }
  if (generation !== undefined) {
    s.observedGeneration = generation;
  }
  if (conditions !== undefined && conditions.length > 0) {
    s.conditions = structuredClone(conditions) as ReplicaCondition[];
  }
  return s;
}

/** Compares two statuses field by field (key order and omitted zeros do not matter). */
export function sameStatus(a: DeepReadonly<ReplicaStatus> | undefined, b: ReplicaStatus): boolean {
  const norm = (s: DeepReadonly<ReplicaStatus> | undefined): string =>
    JSON.stringify([s?.replicas ?? 0, s?.fullyLabeledReplicas ?? 0, s?.readyReplicas ?? 0, s?.availableReplicas ?? 0, s?.observedGeneration ?? 0, s?.conditions ?? []]);
  return norm(a) === norm(b);
}
