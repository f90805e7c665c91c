/**
 * Whether a DaemonSet pod should run on a node (upstream's NodeShouldRunDaemonPod): the node
 * matches the template's nodeSelector and required node affinity, and the pod — with the
 * tolerations the DaemonSet controller always adds — tolerates every NoSchedule/NoExecute taint.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';

/** A node taint. */
export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** A pod toleration. */
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** One nodeSelectorTerm. */
export interface NodeSelectorTerm {
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
  matchFields?: { key: string; operator: string; values?: string[] }[];
}

/** The Node shape read here. */
export interface Node extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

/** The pod spec fields that decide placement. */
export interface PlacementSpec {
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
  tolerations?: Toleration[];
  hostNetwork?: boolean;
}

/** Tolerations upstream's DaemonSet controller adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) {
    t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  }
  return t;
}

/** True when toleration `t` tolerates `taint` (core/v1 helper semantics). */
export function tolerates(t: DeepReadonly<Toleration>, taint: DeepReadonly<Taint>): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) {
    return false;
  }
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) {
    return false;
  }
  if ((t.key === undefined || t.key === '') && t.operator !== 'Exists') {
    return false;
  }
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

function requirementMatches(r: DeepReadonly<{ key: string; operator: string; values?: string[] }>, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const v = Number(value);
      const bound = Number(values[0]);
      if (value === undefined || !Number.isInteger(v) || !Number.isInteger(bound)) {
        return false;
      }
      return r.operator === 'Gt' ? v > bound : v < bound;
    }
    default:
      return false;
  }
}

/** True when `node` satisfies the nodeSelectorTerm (an empty term matches nothing, as upstream). */
export function termMatches(term: DeepReadonly<NodeSelectorTerm>, node: DeepReadonly<Node>): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) {
    return false;
  }
  return exprs.every((r) => requirementMatches(r, node.metadata.labels?.[r.key])) && fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined));
}

/** Upstream's NodeShouldRunDaemonPod (predicates only; the scheduler decides resources). */
export function shouldRunOn(spec: DeepReadonly<PlacementSpec> | undefined, node: DeepReadonly<Node>): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) {
      return false;
    }
  }
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms !== undefined && !terms.some((t) => termMatches(t, node))) {
    return false;
  }
  const tolerations = [...(spec?.tolerations ?? []), ...daemonTolerations(spec?.hostNetwork === true)];
  return (node.spec?.taints ?? []).every((taint) => (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') || tolerations.some((t) => tolerates(t, taint)));
}

/**
 * The pod's affinity with its required node terms pinned to `nodeName` via
 * `matchFields metadata.name In [node]` (upstream's ReplaceDaemonSetPodNodeNameNodeAffinity).
 */
export function pinToNode(affinity: PlacementSpec['affinity'] | undefined, nodeName: string): NonNullable<PlacementSpec['affinity']> & Record<string, unknown> {
  const a = structuredClone(affinity ?? {}) as NonNullable<PlacementSpec['affinity']> & Record<string, unknown>;
  const pin = { key: 'metadata.name', operator: 'In', values: [nodeName] };
  const na = (a.nodeAffinity ??= {});
  const req = (na.requiredDuringSchedulingIgnoredDuringExecution ??= {});
  const terms = req.nodeSelectorTerms ?? [];
  if (terms.length === 0) {
    req.nodeSelectorTerms = [{ matchFields: [pin] }];
  } else {
    // Every term keeps its label expressions; the node-name field requirement replaces any existing one.
    req.nodeSelectorTerms = terms.map((t) => ({ ...t, matchFields: [pin] }));
  }
  return a;
}
