/**
 * The DaemonSet controller's decision for one sync (pure): which nodes get a new daemon pod,
 * which pods go (misscheduled, duplicates, failed, rolling update), and the status counters
 * exactly as upstream's updateDaemonSetStatus computes them.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import type { Pod, PodTemplate } from '../history/pods.ts';
import { isAvailable, isReady } from '../history/pods.ts';
import { omitZero, scaledValue } from '../history/intstr.ts';
import { REVISION_HASH_LABEL } from '../history/revision.ts';
import type { Node, PlacementSpec } from './predicates.ts';
import { shouldRunOn } from './predicates.ts';

/** apps/v1 DaemonSet (fields read here). */
export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
    template?: PodTemplate;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  };
  status?: DaemonSetStatus;
}

/** apps/v1 DaemonSetStatus. */
export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

/** One sync's decision. */
export interface DaemonSetPlan {
  /** Nodes to create a daemon pod on. */
  readonly createOn: readonly string[];
  /** Names of pods to delete. */
  readonly deletePods: readonly string[];
  readonly status: DaemonSetStatus;
  /** Re-check after this long (minReadySeconds pending). */
  readonly requeueAfterMs?: number;
}

/** The node a daemon pod is bound or pinned to (upstream's GetTargetNodeName). */
export function targetNode(p: DeepReadonly<Pod>): string | undefined {
  if (p.spec?.nodeName !== undefined && p.spec.nodeName !== '') {
    return p.spec.nodeName;
  }
  const terms = (p.spec?.affinity as DeepReadonly<PlacementSpec['affinity']> | undefined)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    const f = t.matchFields?.find((r) => r.key === 'metadata.name' && r.operator === 'In' && r.values?.length === 1);
    if (f?.values !== undefined) {
      return f.values[0];
    }
  }
  return undefined;
}

const byAge = (a: DeepReadonly<Pod>, b: DeepReadonly<Pod>): number => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

/** Decides one sync of `ds` over `nodes` and its own `pods`, whose current template hash is `hash`. */
export function planDaemonSet(ds: DeepReadonly<DaemonSet>, nodes: readonly DeepReadonly<Node>[], pods: readonly DeepReadonly<Pod>[], hash: string, nowMs: number): DaemonSetPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const placement = ds.spec?.template?.spec as DeepReadonly<PlacementSpec> | undefined;
  const updated = (p: DeepReadonly<Pod>): boolean => p.metadata.labels?.[REVISION_HASH_LABEL] === hash;
  const podsByNode = new Map<string, DeepReadonly<Pod>[]>();
  const createOn: string[] = [];
  const deletePods: string[] = [];
  for (const p of pods) {
    if (p.metadata.deletionTimestamp !== undefined) {
      continue;
    }
    const n = targetNode(p) ?? '';
    podsByNode.set(n, [...(podsByNode.get(n) ?? []), p]);
  }
  const nodeNames = new Set(nodes.map((n) => n.metadata.name ?? ''));
  // Pods pinned to nodes that no longer exist are misscheduled leftovers.
  for (const [n, ps] of podsByNode) {
    if (!nodeNames.has(n)) {
      deletePods.push(...ps.map((p) => p.metadata.name ?? ''));
    }
  }
  const status: DaemonSetStatus = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  // Nodes whose one running pod is old: rolling-update candidates.
  const oldOn: { node: string; pod: DeepReadonly<Pod>; available: boolean }[] = [];
  const surging = new Map<string, { old: DeepReadonly<Pod>; fresh: DeepReadonly<Pod> }>();
  let unavailable = 0;
  let requeueAfterMs: number | undefined;
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const run = shouldRunOn(placement, node);
    const here = [...(podsByNode.get(name) ?? [])].sort(byAge);
    if (!run) {
      if (here.length > 0) {
        status.numberMisscheduled++;
        deletePods.push(...here.map((p) => p.metadata.name ?? ''));
      }
      continue;
    }
    status.desiredNumberScheduled++;
    // Failed pods are deleted; a replacement comes on a later sync.
    const failed = here.filter((p) => p.status?.phase === 'Failed');
    deletePods.push(...failed.map((p) => p.metadata.name ?? ''));
    const live = here.filter((p) => p.status?.phase !== 'Failed');
    if (here.length > 0) {
      status.currentNumberScheduled++;
    }
    if (live.length === 0) {
      createOn.push(name);
      unavailable++;
    } else {
      const fresh = live.filter(updated);
      const old = live.filter((p) => !updated(p));
      if (fresh.length > 0 && old.length > 0) {
        surging.set(name, { old: old[0], fresh: fresh[0] });
        deletePods.push(...old.slice(1).map((p) => p.metadata.name ?? ''), ...fresh.slice(1).map((p) => p.metadata.name ?? ''));
      } else {
        deletePods.push(...live.slice(1).map((p) => p.metadata.name ?? ''));
      }
      const first = live[0];
      const avail = isAvailable(first, minReady, nowMs);
      if (isReady(first)) {
        status.numberReady++;
        if (!avail) {
          const c = first.status?.conditions?.find((x) => x.type === 'Ready');
          const since = c?.lastTransitionTime === undefined ? nowMs : Date.parse(c.lastTransitionTime);
          requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, since + minReady * 1000 - nowMs + 50);
        }
      }
      if (avail) {
        status.numberAvailable = (status.numberAvailable ?? 0) + 1;
      } else {
        unavailable++;
      }
      if (fresh.length > 0) {
        status.updatedNumberScheduled = (status.updatedNumberScheduled ?? 0) + 1;
      } else {
        oldOn.push({ node: name, pod: first, available: avail });
      }
    }
  }
  status.numberUnavailable = status.desiredNumberScheduled - (status.numberAvailable ?? 0);

  const strategy = ds.spec?.updateStrategy;
  if (strategy?.type !== 'OnDelete') {
    const desired = status.desiredNumberScheduled;
    const maxSurge = scaledValue(strategy?.rollingUpdate?.maxSurge, desired, true, 0);
    const maxUnavailable = scaledValue(strategy?.rollingUpdate?.maxUnavailable, desired, true, 1);
    if (maxSurge === 0) {
      // Old pods that are unavailable anyway are replaced at once; available ones within the budget.
      let budget = maxUnavailable - unavailable;
      for (const o of oldOn) {
        if (!o.available) {
          deletePods.push(o.pod.metadata.name ?? '');
        }
      }
      for (const o of oldOn) {
        if (o.available && budget > 0) {
          deletePods.push(o.pod.metadata.name ?? '');
          budget--;
        }
      }
    } else {
      let budget = maxSurge - surging.size;
      for (const [, s] of surging) {
        if (isAvailable(s.fresh, minReady, nowMs)) {
          deletePods.push(s.old.metadata.name ?? '');
        }
      }
      for (const o of oldOn) {
        if (!o.available) {
          deletePods.push(o.pod.metadata.name ?? '');
        } else if (budget > 0) {
          createOn.push(o.node);
          budget--;
        }
      }
    }
  }
  return { createOn, deletePods: [...new Set(deletePods)], status: omitZero(status, ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable']), requeueAfterMs };
}
