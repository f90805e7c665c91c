/**
 * Rolling-update arithmetic (upstream's rolling.go and NewRSNewReplicas) as pure functions over
 * replica-set sizes, so the bounds (maxSurge, maxUnavailable) can be tested without a server.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { byCreation, maxSurge, maxUnavailable, specReplicas } from './util.ts';
import type { Deployment, ReplicaSet } from './util.ts';

type RoD = DeepReadonly<Deployment>;
type RoRS = DeepReadonly<ReplicaSet>;

/** How many replicas the new replica set should have now (NewRSNewReplicas). */
export function newRSNewReplicas(d: RoD, all: readonly RoRS[], newRS: RoRS): number {
  const replicas = d.spec?.replicas ?? 1;
  const current = newRS.spec?.replicas ?? 0;
  if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    return replicas;
  }
  const maxTotal = replicas + maxSurge(d);
  const total = specReplicas(all);
  if (total >= maxTotal) {
    return current;
  }
  return current + Math.min(maxTotal - total, replicas - current);
}

/** One replica-set resize. */
export interface ScaleStep {
  readonly rs: RoRS;
  readonly to: number;
}

/**
 * reconcileOldReplicaSets: first shrink old sets by their unavailable pods (bounded by how many
 * may go), then scale old sets down oldest first while availability stays ≥ replicas − maxUnavailable.
 */
export function planOldScaleDown(d: RoD, all: readonly RoRS[], oldRSs: readonly RoRS[], newRS: RoRS | undefined): ScaleStep[] {
  const replicas = d.spec?.replicas ?? 1;
  if (specReplicas(oldRSs) === 0) {
    return [];
  }
  const minAvailable = replicas - maxUnavailable(d);
  const newUnavailable = (newRS?.spec?.replicas ?? 0) - (newRS?.status?.availableReplicas ?? 0);
  let maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) {
    return [];
  }
  const steps: ScaleStep[] = [];
  const sizes = new Map<RoRS, number>();
  const sorted = [...oldRSs].sort(byCreation);
  // cleanupUnhealthyReplicas
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) {
      break;
    }
    const size = rs.spec?.replicas ?? 0;
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || available >= size) {
      continue;
    }
    const n = Math.min(maxScaledDown - cleaned, size - available);
    sizes.set(rs, size - n);
    steps.push({ rs, to: size - n });
    cleaned += n;
  }
  maxScaledDown -= cleaned;
  // scaleDownOldReplicaSetsForRollingUpdate (availability counted over every set as upstream does).
  // A set's status may not yet reflect a scale-down (this controller's own, a moment ago): its
  // pods above spec.replicas are about to be deleted, so a set counts at most spec.replicas
  // available. Upstream reads the status as is; with pods that turn Ready within milliseconds
  // (simulated nodes) that stale count let old sets shrink past the maxUnavailable bound.
  const availableCount = all.reduce((n, rs) => n + Math.min(rs.status?.availableReplicas ?? 0, sizes.get(rs) ?? rs.spec?.replicas ?? 0), 0);
  if (availableCount <= minAvailable) {
    return steps;
  }
  const total = availableCount - minAvailable;
  let scaled = 0;
  for (const rs of sorted) {
    if (scaled >= total) {
      break;
    }
    const size = sizes.get(rs) ?? rs.spec?.replicas ?? 0;
    if (size === 0) {
      continue;
    }
    const n = Math.min(size, total - scaled);
    const existing = steps.findIndex((s) => s.rs === rs);
    if (existing >= 0) {
      steps.splice(existing, 1);
    }
    steps.push({ rs, to: size - n });
    scaled += n;
  }
  return steps;
}
