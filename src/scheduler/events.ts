/** Classifies a Node update into the cluster events plugins register for (coarse queueing hints). */
import type { ClusterEvent } from './framework/interface.ts';
import { podRequests } from './framework/resource.ts';
import type { RNode, RPod } from './types.ts';

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** The events a node update amounts to (none for heartbeat-only changes). */
export function nodeChangeEvents(old: RNode, cur: RNode): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!same(old.status?.allocatable, cur.status?.allocatable)) {
    out.push('NodeAllocatableChange');
  }
  if (!same(old.metadata.labels, cur.metadata.labels)) {
    out.push('NodeLabelChange');
  }
  if (!same(old.spec?.taints, cur.spec?.taints)) {
    out.push('NodeTaintChange');
  }
  if ((old.spec?.unschedulable ?? false) !== (cur.spec?.unschedulable ?? false)) {
    out.push('NodeSchedulableChange');
  }
  return out;
}

/** True when a bound pod's update can matter to pending pods: its labels or its requests changed (not status-only writes). */
export function assignedPodUpdateMatters(old: RPod, cur: RPod): boolean {
  if (!same(old.metadata.labels, cur.metadata.labels)) {
    return true;
  }
  const a = podRequests(old).requests;
  const b = podRequests(cur).requests;
  return a.milliCPU !== b.milliCPU || a.memory !== b.memory || a.ephemeralStorage !== b.ephemeralStorage || !same([...(a.scalar ?? [])], [...(b.scalar ?? [])]);
}
