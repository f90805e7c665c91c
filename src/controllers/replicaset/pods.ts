/** Pod facts controllers share: readiness, availability, activeness, and upstream's deletion ranking. */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';

/** The pod fields controllers read. */
export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: { restartCount?: number }[];
    [k: string]: unknown;
  };
}

type RoPod = DeepReadonly<Pod>;

/** True when the pod's Ready condition is True. */
export function isPodReady(pod: RoPod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Ready for at least minReadySeconds at `now` (upstream's IsPodAvailable). */
export function isPodAvailable(pod: RoPod, minReadySeconds: number, now: number = Date.now()): boolean {
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready' && c.status === 'True');
  if (ready === undefined) {
    return false;
  }
  if (minReadySeconds <= 0) {
    return true;
  }
  const since = ready.lastTransitionTime === undefined ? NaN : Date.parse(ready.lastTransitionTime);
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

/** Not terminal and not being deleted (upstream's IsPodActive). */
export function isPodActive(pod: RoPod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && pod.metadata.deletionTimestamp === undefined;
}

const phaseRank: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(p: RoPod): number {
  return (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

/**
 * Orders pods so the ones to delete first come first (upstream's ActivePods ranking):
 * unassigned before assigned, Pending < Unknown < Running, not ready before ready, more
 * restarts first, newer before older.
 */
export function compareForDeletion(a: RoPod, b: RoPod): number {
  const assigned = (p: RoPod): number => (p.spec?.nodeName === undefined || p.spec.nodeName === '' ? 0 : 1);
  if (assigned(a) !== assigned(b)) {
    return assigned(a) - assigned(b);
  }
  const pa = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) {
    return pa - pb;
  }
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) {
    return ra - rb;
  }
  if (restarts(a) !== restarts(b)) {
    return restarts(b) - restarts(a);
  }
  const ca = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const cb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  return cb - ca;
}
