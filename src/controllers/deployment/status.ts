/** Deployment status as upstream computes it: counters, the Available condition, and Progressing for rollouts. */
import type { DeepReadonly } from '../../api/object.ts';
import { getCondition, maxUnavailable, newCondition, Reason, removeCondition, setCondition, statusSum } from './util.ts';
import type { Deployment, DeploymentStatus, ReplicaSet } from './util.ts';

type RoD = DeepReadonly<Deployment>;
type RoRS = DeepReadonly<ReplicaSet>;

/** calculateStatus: counters from the replica sets' statuses plus the Available condition. */
export function calculateStatus(d: RoD, all: readonly RoRS[], newRS: RoRS | undefined): DeploymentStatus {
  const replicas = d.spec?.replicas ?? 1;
  const available = statusSum(all, 'availableReplicas');
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: statusSum(all, 'replicas'),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: statusSum(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicas - available),
    conditions: structuredClone(d.status?.conditions ?? []) as DeploymentStatus['conditions'],
  };
  if (d.status?.collisionCount !== undefined) {
    status.collisionCount = d.status.collisionCount;
  }
  if (available >= replicas - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.'));
  } else {
    setCondition(status, newCondition('Available', 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.'));
  }
  return status;
}

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function deploymentComplete(d: RoD, s: DeploymentStatus): boolean {
  const replicas = d.spec?.replicas ?? 1;
  return s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, or more ready/available replicas than last recorded. */
export function deploymentProgressing(d: RoD, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: the Progressing condition was last updated more than progressDeadlineSeconds ago. */
export function deploymentTimedOut(d: RoD, s: DeploymentStatus, now: number = Date.now()): boolean {
  const deadline = d.spec?.progressDeadlineSeconds;
  const cond = getCondition(s, 'Progressing');
  if (deadline === undefined || cond === undefined || cond.reason === Reason.NewRSAvailable) {
    return false;
  }
  if (cond.reason === Reason.TimedOut) {
    return true;
  }
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + deadline * 1000 < now;
}

/** syncRolloutStatus's status: calculateStatus plus Progressing and ReplicaFailure conditions. */
export function rolloutStatus(d: RoD, all: readonly RoRS[], newRS: RoRS | undefined): DeploymentStatus {
  const s = calculateStatus(d, all, newRS);
  const hasDeadline = d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;
  if (!hasDeadline) {
    removeCondition(s, 'Progressing');
  }
  const current = getCondition(d.status, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && current?.reason === Reason.NewRSAvailable;
  if (hasDeadline && !complete) {
    if (deploymentComplete(d, s)) {
      const msg = newRS !== undefined ? `ReplicaSet "${newRS.metadata.name ?? ''}" has successfully progressed.` : `Deployment "${d.metadata.name ?? ''}" has successfully progressed.`;
      setCondition(s, newCondition('Progressing', 'True', Reason.NewRSAvailable, msg));
    } else if (deploymentProgressing(d, s)) {
      const msg = newRS !== undefined ? `ReplicaSet "${newRS.metadata.name ?? ''}" is progressing.` : `Deployment "${d.metadata.name ?? ''}" is progressing.`;
      const c = newCondition('Progressing', 'True', Reason.RSUpdated, msg);
      if (current !== undefined) {
        if (current.status === 'True' && current.lastTransitionTime !== undefined) {
          c.lastTransitionTime = current.lastTransitionTime;
        }
        removeCondition(s, 'Progressing');
      }
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s)) {
      const msg = newRS !== undefined ? `ReplicaSet "${newRS.metadata.name ?? ''}" has timed out progressing.` : `Deployment "${d.metadata.name ?? ''}" has timed out progressing.`;
      setCondition(s, newCondition('Progressing', 'False', Reason.TimedOut, msg));
    }
  }
  const failure = all.map((rs) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')).find((c) => c !== undefined);
  if (failure !== undefined) {
    setCondition(s, newCondition('ReplicaFailure', 'True', failure.reason ?? '', failure.message ?? ''));
  } else {
    removeCondition(s, 'ReplicaFailure');
  }
  return s;
}

/** True when two statuses differ in anything but condition timestamps' formatting. */
export function statusChanged(old: DeepReadonly<DeploymentStatus> | undefined, next: DeploymentStatus): boolean {
  const norm = (s: DeepReadonly<DeploymentStatus> | undefined): string =>
    JSON.stringify([s?.observedGeneration ?? 0, s?.replicas ?? 0, s?.updatedReplicas ?? 0, s?.readyReplicas ?? 0, s?.availableReplicas ?? 0, s?.unavailableReplicas ?? 0, s?.collisionCount ?? 0, (s?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.lastUpdateTime, c.lastTransitionTime])]);
  return norm(old) !== norm(next);
}
