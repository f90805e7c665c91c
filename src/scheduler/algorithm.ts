/**
 * One scheduling attempt's pure part (upstream schedule_one.go schedulePod): PreFilter, Filter
 * over an adaptive sample of nodes starting where the last cycle stopped, PreScore/Score,
 * and a random pick among the best. Fails with a FitError whose message is upstream's.
 */
import { Code, Status } from './framework/interface.ts';
import type { CycleState, Handle } from './framework/interface.ts';
import type { NodeInfo } from './framework/nodeinfo.ts';
import { podInfoOf } from './framework/nodeinfo.ts';
import type { Framework } from './framework/runtime.ts';
import { podPriority } from './types.ts';
import type { RPod } from './types.ts';

/** Upstream's ErrNoNodesAvailable. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** Why a pod fits nowhere (upstream framework.Diagnosis). */
export interface Diagnosis {
  /** Node name → the rejecting status. */
  readonly nodeToStatus: Map<string, Status>;
  /** Plugins that rejected the pod (decide which cluster events re-queue it). */
  readonly unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

/** The pod fits no node: carries the diagnosis; `message` is upstream's FitError.Error(). */
export class FitError extends Error {
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;

  constructor(numAllNodes: number, diagnosis: Diagnosis) {
    // No message argument: `message` is the getter below, computed when read.
    super();
    this.name = 'FitError';
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }

  override get message(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }

  override set message(_v: string) {
    // computed
  }
}

/** Counts reasons across nodes: `{N} {reason}` sorted as strings, joined by ", ". */
export function reasonHistogram(nodeToStatus: ReadonlyMap<string, Status>): string {
  const counts = new Map<string, number>();
  for (const s of nodeToStatus.values()) {
    for (const r of s.reasons) {
      counts.set(r, (counts.get(r) ?? 0) + 1);
    }
  }
  return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
}

/** Upstream's message: `0/N nodes are available: <prefilter msg | reason histogram>. <postfilter msg>` */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg !== '') {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const hist = reasonHistogram(d.nodeToStatus);
    if (hist !== '') {
      msg += ` ${hist}.`;
    }
  }
  // PostFilter messages carry their own punctuation (upstream appends them with a space only).
  if (d.postFilterMsg !== '') {
    msg += ` ${d.postFilterMsg}`;
  }
  return msg;
}

/** Upstream's numFeasibleNodesToFind with the adaptive percentage (50% - nodes/125, at least 5%, at least 100 nodes). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < 100) {
    return numAllNodes;
  }
  let pct = percentage;
  if (pct <= 0) {
    pct = Math.max(5, 50 - Math.floor(numAllNodes / 125));
  }
  const n = Math.floor((numAllNodes * pct) / 100);
  return Math.min(numAllNodes, Math.max(100, n));
}

/** The cluster as one cycle sees it. */
export interface Snapshot extends Handle {
  /** Pods nominated to run on `node` (by preemption), excluding none. */
  readonly nominatedPods: (node: string) => readonly RPod[] | undefined;
  /** False when no pod is nominated anywhere (then nominatedPods need not be asked per node); absent: ask. */
  readonly hasNominatedPods?: () => boolean;
}

/** The chosen node and how many nodes were looked at. */
export interface ScheduleResult {
  readonly nodeName: string;
  readonly evaluatedNodes: number;
  readonly feasibleNodes: number;
}

/** Mutable position carried between cycles so successive pods start at different nodes. */
export interface SchedulerPosition {
  nextStartNodeIndex: number;
  percentageOfNodesToScore: number;
}

/** Filters one node, counting pods nominated there with equal or higher priority as already placed. */
export function filterWithNominated(fwk: Framework, state: CycleState, pod: RPod, node: NodeInfo, snapshot: Snapshot): Status | undefined {
  const nominated = snapshot.nominatedPods(node.name);
  if (nominated !== undefined && nominated.length > 0) {
    const prio = podPriority(pod);
    let clone: NodeInfo | undefined;
    let st: CycleState | undefined;
    for (const np of nominated) {
      if (np.metadata.uid !== pod.metadata.uid && podPriority(np) >= prio) {
        clone ??= node.clone();
        st ??= state.clone();
        clone.addPod(podInfoOf(np));
        fwk.runPreFilterExtension(st, pod, np, clone, true);
      }
    }
    if (clone !== undefined && st !== undefined) {
      return fwk.runFilters(st, pod, clone);
    }
  }
  return fwk.runFilters(state, pod, node);
}

/** Runs the scheduling algorithm for `pod`; throws FitError when no node fits. */
export function schedulePod(fwk: Framework, state: CycleState, pod: RPod, snapshot: Snapshot, pos: SchedulerPosition): ScheduleResult {
  const all = snapshot.nodes();
  const diagnosis: Diagnosis = { nodeToStatus: new Map(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
  if (all.length === 0) {
    throw new Error(NO_NODES_AVAILABLE);
  }
  const pre = fwk.runPreFilter(state, pod, snapshot);
  if (pre !== undefined) {
    if (pre.code === Code.Error) {
      throw new Error(`running PreFilter plugin "${pre.plugin}": ${pre.message()}`);
    }
    diagnosis.preFilterMsg = pre.message();
    diagnosis.unschedulablePlugins.add(pre.plugin);
    for (const n of all) {
      diagnosis.nodeToStatus.set(n.name, pre);
    }
    throw new FitError(all.length, diagnosis);
  }
  // A nominated node (from an earlier preemption) is tried first.
  const nominatedName = pod.status?.nominatedNodeName;
  if (nominatedName !== undefined && nominatedName !== '') {
    const n = snapshot.node(nominatedName);
    if (n !== undefined && filterWithNominated(fwk, state, pod, n, snapshot) === undefined) {
      return { nodeName: n.name, evaluatedNodes: 1, feasibleNodes: 1 };
    }
  }
  const want = numFeasibleNodesToFind(all.length, pos.percentageOfNodesToScore);
  const start = pos.nextStartNodeIndex % all.length;
  const nominated = snapshot.hasNominatedPods?.() ?? true;
  // Sized once for the nodes wanted (growing it push by push reallocates it a dozen times a cycle).
  const feasible = new Array<NodeInfo>(Math.min(want, 1 << 16));
  let found = 0;
  let processed = 0;
  for (; processed < all.length && found < want; processed++) {
    const node = all[(start + processed) % all.length];
    const s = nominated ? filterWithNominated(fwk, state, pod, node, snapshot) : fwk.runFilters(state, pod, node);
    if (s === undefined) {
      feasible[found++] = node;
    } else if (s.code === Code.Error) {
      throw new Error(`running "${s.plugin}" filter plugin: ${s.message()}`);
    } else {
      diagnosis.nodeToStatus.set(node.name, s);
      diagnosis.unschedulablePlugins.add(s.plugin);
    }
  }
  pos.nextStartNodeIndex = (start + processed) % all.length;
  feasible.length = found;
  if (feasible.length === 0) {
    throw new FitError(all.length, diagnosis);
  }
  if (feasible.length === 1) {
    return { nodeName: feasible[0].name, evaluatedNodes: processed, feasibleNodes: 1 };
  }
  const scores = fwk.runScores(state, pod, feasible, snapshot);
  return { nodeName: feasible[selectHost(scores)].name, evaluatedNodes: processed, feasibleNodes: feasible.length };
}

/**
 * Index of the highest score; ties broken uniformly at random, as upstream's reservoir sampling
 * does, but with one random draw per cycle (count the ties, then take the k-th) instead of one
 * per tie.
 */
export function selectHost(scores: Float64Array): number {
  let max = scores[0];
  let ties = 1;
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i];
    if (s > max) {
      max = s;
      ties = 1;
    } else if (s === max) {
      ties++;
    }
  }
  let k = ties === 1 ? 0 : Math.floor(Math.random() * ties);
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] === max && k-- === 0) {
      return i;
    }
  }
  return 0;
}

export { Status };
