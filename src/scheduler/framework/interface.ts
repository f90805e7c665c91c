/**
 * The scheduling framework's extension points (upstream kube-scheduler/framework/interface.go):
 * one narrow interface per hook. Scheduling-cycle hooks are synchronous on purpose: a whole
 * cycle runs without yielding, so the cache cannot change under it (that is what makes the
 * per-cycle snapshot consistent). Only the binding cycle (PreBind, Bind, PostBind) is async.
 */
import type { RPod } from '../types.ts';
import type { NodeInfo } from './nodeinfo.ts';

/** Status codes, with upstream's meanings. */
export const Code = {
  /** The plugin ran and the pod may proceed. */
  Success: 0,
  /** An internal error: the pod is retried with backoff. */
  Error: 1,
  /** The pod does not fit now; preemption may help. */
  Unschedulable: 2,
  /** The pod does not fit and preemption cannot help on this node. */
  UnschedulableAndUnresolvable: 3,
  /** Permit: hold the pod (not used by in-tree plugins here). */
  Wait: 4,
  /** PreFilter/PreScore: this plugin has nothing to do for this pod; skip its Filter/Score. */
  Skip: 5,
  /** PreFilter: the pod waits on something outside the scheduler. */
  Pending: 6,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

/** A plugin's verdict: a code, reasons (each a user-facing string), and the plugin that said it. */
export class Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  plugin: string;

  constructor(code: Code, reasons: readonly string[] = [], plugin = '') {
    this.code = code;
    this.reasons = reasons;
    this.plugin = plugin;
  }

  /** True for Success (a missing status also means success). */
  isSuccess(): boolean {
    return this.code === Code.Success;
  }

  /** True for Unschedulable or UnschedulableAndUnresolvable. */
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending;
  }

  /** The reasons joined as upstream's Status.Message(). */
  message(): string {
    return this.reasons.join(', ');
  }
}

/** Builds a status; `undefined` is how plugins say Success on the hot path (no allocation). */
export function status(code: Code, ...reasons: string[]): Status {
  return new Status(code, reasons);
}

/** A filter/score verdict: undefined means Success. */
export type MaybeStatus = Status | undefined;

/** Per-cycle scratch space that PreFilter/PreScore fill and Filter/Score read (keyed by plugin). */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip. */
  readonly skipFilter = new Set<string>();
  /** Plugins whose PreScore returned Skip. */
  readonly skipScore = new Set<string>();
  /**
   * The Filter plugins this cycle runs (skipFilter taken out), set once PreFilter is done so the
   * per-node loop does not look every plugin up in skipFilter; undefined: work it out per call.
   */
  activeFilters: readonly FilterPlugin[] | undefined;

  /** Reads a plugin's stored value. */
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  /** Stores a plugin's value for later hooks in this cycle. */
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /** A copy for preemption's what-if runs (values are copied with their own clone() when present). */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) {
      const cl = (v as { clone?: () => unknown } | undefined)?.clone;
      c.data.set(k, typeof cl === 'function' ? cl.call(v) : v);
    }
    for (const s of this.skipFilter) {
      c.skipFilter.add(s);
    }
    for (const s of this.skipScore) {
      c.skipScore.add(s);
    }
    c.activeFilters = this.activeFilters;
    return c;
  }
}

/** What plugins may read: the cycle's node snapshot and listers (never the API). */
export interface Handle {
  /** Every node in this cycle's snapshot. */
  readonly nodes: () => readonly NodeInfo[];
  /** One node by name in this cycle's snapshot. */
  readonly node: (name: string) => NodeInfo | undefined;
  /** Namespace labels, for namespaceSelector in pod affinity terms. */
  readonly namespaceLabels: (namespace: string) => Readonly<Record<string, string>> | undefined;
  /** Nodes holding at least one pod with (anti-)affinity terms (so plugins need not scan every node). */
  readonly nodesWithAffinityPods: () => Iterable<NodeInfo>;
  /** How many nodes report having this image (normalised name). */
  readonly imageNodeCount: (image: string) => number;
  /** A PersistentVolumeClaim's phase and volumeName ('' if unbound), or undefined if it does not exist. */
  readonly claim: (namespace: string, name: string) => { readonly phase: string; readonly volumeName: string } | undefined;
  /** PodDisruptionBudgets (all namespaces), for preemption to prefer victims that violate none; absent: none. */
  readonly podDisruptionBudgets?: () => readonly DisruptionBudget[];
}

/** The parts of a policy/v1 PodDisruptionBudget preemption reads. */
export interface DisruptionBudget {
  readonly metadata: { readonly namespace?: string; readonly name?: string };
  readonly spec?: { readonly selector?: unknown };
  readonly status?: { readonly disruptionsAllowed?: number; readonly disruptedPods?: Readonly<Record<string, string>> };
}

/** Cluster events a plugin's rejection can be cured by (queueing hints, coarse-grained). */
export const ClusterEvent = {
  NodeAdd: 'NodeAdd',
  NodeUpdate: 'NodeUpdate',
  NodeTaintChange: 'NodeTaintChange',
  NodeLabelChange: 'NodeLabelChange',
  NodeAllocatableChange: 'NodeAllocatableChange',
  NodeSchedulableChange: 'NodeSchedulableChange',
  AssignedPodAdd: 'AssignedPodAdd',
  AssignedPodUpdate: 'AssignedPodUpdate',
  AssignedPodDelete: 'AssignedPodDelete',
  PvcChange: 'PvcChange',
  UnschedulableTimeout: 'UnschedulableTimeout',
} as const;
export type ClusterEvent = (typeof ClusterEvent)[keyof typeof ClusterEvent];

/** Every plugin has a name. */
export interface Plugin {
  readonly name: string;
  /** Cluster events that may make a pod this plugin rejected schedulable. */
  readonly events?: readonly ClusterEvent[];
}

/** PreFilter: compute per-pod state once; may reject the pod for every node, or Skip its Filter. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: RPod, handle: Handle): MaybeStatus;
  /** Preemption's what-if: a pod was added to / removed from a node's info. */
  addPod?(state: CycleState, pod: RPod, toAdd: RPod, node: NodeInfo): void;
  removePod?(state: CycleState, pod: RPod, toRemove: RPod, node: NodeInfo): void;
}

/** Filter: may the pod run on this node? Unschedulable(AndUnresolvable) with reasons if not. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus;
}

/** PostFilter: runs when no node fits (preemption). */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: RPod, filtered: ReadonlyMap<string, Status>, handle: Handle): PostFilterResult;
}

/** What PostFilter found: a nominated node (with victims to evict), or why not. */
export interface PostFilterResult {
  readonly nominatedNodeName?: string;
  readonly victims?: readonly RPod[];
  readonly status: Status;
}

/** PreScore: compute per-pod scoring state over the feasible nodes; may Skip. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: RPod, nodes: readonly NodeInfo[], handle: Handle): MaybeStatus;
}

/** Score: rank a feasible node; `normalize` maps raw scores onto 0..MAX_NODE_SCORE in place. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: RPod, node: NodeInfo): number;
  normalize?(state: CycleState, pod: RPod, scores: Float64Array): void;
}

/** Reserve: claim cluster state for the chosen node before binding; unreserve undoes it. */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: RPod, nodeName: string): MaybeStatus;
  unreserve(state: CycleState, pod: RPod, nodeName: string): void;
}

/** Permit: approve or reject the pod before its binding cycle starts. */
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: RPod, nodeName: string): MaybeStatus;
}

/** PreBind: work that must finish before the binding (e.g. volume binding). */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: RPod, nodeName: string): Promise<MaybeStatus>;
}

/** Bind: writes the binding; Skip hands it to the next Bind plugin. */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: RPod, nodeName: string): Promise<MaybeStatus>;
}

/** Highest score a Score plugin may give after normalisation (upstream MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

/** Scales raw scores so the highest becomes MAX_NODE_SCORE (reverse: the lowest does). */
export function defaultNormalize(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > max) {
      max = scores[i];
    }
  }
  if (max === 0) {
    if (reverse) {
      scores.fill(MAX_NODE_SCORE);
    }
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.floor((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
