/** Node health decisions (upstream's tryUpdateNodeHealth and taint mapping) as pure functions. */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Node extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean; podCIDR?: string; podCIDRs?: string[] };
  status?: { conditions?: NodeCondition[]; [k: string]: unknown };
}

/** The conditions the kubelet owns and the controller marks Unknown when it goes silent. */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** The node's conditions with every kubelet condition turned Unknown (undefined if nothing changes). */
export function markUnknown(node: DeepReadonly<Node>, now: string): NodeCondition[] | undefined {
  const conds = structuredClone(node.status?.conditions ?? []) as NodeCondition[];
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const c = conds.find((x) => x.type === type);
    if (c === undefined) {
      conds.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp ?? now, lastTransitionTime: now });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conds : undefined;
}

/** The Ready condition's status ('Unknown' when absent). */
export function readyStatus(node: DeepReadonly<Node>): string {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

/**
 * The taints a node should carry for its Ready status: unreachable (Unknown) or not-ready
 * (False) with both NoSchedule and NoExecute effects; other taints untouched, timeAdded kept;
 * a node without a Ready condition keeps its taints as they are.
 */
export function desiredTaints(node: DeepReadonly<Node>, now: string): Taint[] {
  if (node.status?.conditions?.find((c) => c.type === 'Ready') === undefined) {
    // No Ready condition yet (kubelet still registering): upstream leaves the taints alone.
    return structuredClone(node.spec?.taints ?? []) as Taint[];
  }
  const ready = readyStatus(node);
  const keep = (structuredClone(node.spec?.taints ?? []) as Taint[]).filter((t) => !((t.key === UNREACHABLE_TAINT || t.key === NOT_READY_TAINT) && (t.effect === 'NoExecute' || t.effect === 'NoSchedule')));
  const key = ready === 'Unknown' ? UNREACHABLE_TAINT : ready === 'False' ? NOT_READY_TAINT : undefined;
  if (key === undefined) {
    return keep;
  }
  const existing = (node.spec?.taints ?? []).filter((t) => t.key === key);
  const noSchedule = existing.find((t) => t.effect === 'NoSchedule');
  const noExecute = existing.find((t) => t.effect === 'NoExecute');
  keep.push(noSchedule !== undefined ? (structuredClone(noSchedule) as Taint) : { key, effect: 'NoSchedule', timeAdded: now });
  keep.push(noExecute !== undefined ? (structuredClone(noExecute) as Taint) : { key, effect: 'NoExecute', timeAdded: now });
  return keep;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

function tolerates(t: DeepReadonly<Toleration>, taint: DeepReadonly<Taint>): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) {
    return false;
  }
  if (t.operator === 'Exists') {
    return t.key === undefined || t.key === '' || t.key === taint.key;
  }
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * When a pod must be evicted from a node with these NoExecute taints: 'now', 'never', or
 * the time in ms since epoch (upstream's minimum tolerationSeconds over the taints, counted
 * from each taint's timeAdded).
 */
export function evictionTime(tolerations: readonly DeepReadonly<Toleration>[], taints: readonly DeepReadonly<Taint>[], nowMs: number): 'now' | 'never' | number {
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') {
      continue;
    }
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (matching.length === 0) {
      return 'now';
    }
    const bounded = matching.filter((t) => t.tolerationSeconds !== undefined);
    if (bounded.length < matching.length) {
      continue;
    }
    const seconds = Math.max(0, Math.min(...bounded.map((t) => t.tolerationSeconds ?? 0)));
    const since = Date.parse(taint.timeAdded ?? '') || nowMs;
    const when = since + seconds * 1000;
    at = at === undefined ? when : Math.min(at, when);
  }
  return at ?? 'never';
}
