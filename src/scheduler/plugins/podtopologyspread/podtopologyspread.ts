/**
 * PodTopologySpread: DoNotSchedule constraints filter nodes whose domain would exceed maxSkew
 * over the least-loaded eligible domain; ScheduleAnyway constraints score nodes by how many
 * matching pods their domains already hold (fewer is better).
 */
import { Code, MAX_NODE_SCORE, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, Handle, MaybeStatus, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import { labelSelectorFromMeta } from '../../../api/selectors/index.ts';
import type { LabelSelector } from '../../../api/selectors/index.ts';
import type { RPod, TopologySpreadConstraint } from '../../types.ts';
import type { DeepReadonly } from '../../../api/object.ts';
import { podMatchesNodeSelectorAndAffinity } from '../helper/nodeselector.ts';
import { firstUntolerated } from '../helper/taints.ts';

export const Name = 'PodTopologySpread';
export const ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const ErrReasonNodeLabelNotMatch = "node(s) didn't match pod topology spread constraints (missing required label)";

interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  readonly selector: LabelSelector;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
}

/** Per-cycle counts: for each constraint, matching pods per topology value. */
class SpreadState {
  constraints: readonly Constraint[] = [];
  counts: Map<string, number>[] = [];

  clone(): SpreadState {
    const c = new SpreadState();
    c.constraints = this.constraints;
    c.counts = this.counts.map((m) => new Map(m));
    return c;
  }
}

function constraintsOf(pod: RPod, hard: boolean): Constraint[] {
  const out: Constraint[] = [];
  for (const c of pod.spec.topologySpreadConstraints ?? []) {
    if ((c.whenUnsatisfiable === 'DoNotSchedule') !== hard) {
      continue;
    }
    out.push(toConstraint(pod, c));
  }
  return out;
}

function toConstraint(pod: RPod, c: DeepReadonly<TopologySpreadConstraint>): Constraint {
  // matchLabelKeys: the pod's own values for those keys join the selector.
  const extra = (c.matchLabelKeys ?? []).filter((k) => pod.metadata.labels?.[k] !== undefined).map((k) => ({ key: k, operator: 'In', values: [pod.metadata.labels?.[k] ?? ''] }));
  const meta = c.labelSelector ?? {};
  const selector = labelSelectorFromMeta({ matchLabels: meta.matchLabels, matchExpressions: [...(meta.matchExpressions ?? []), ...extra] });
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    minDomains: c.minDomains ?? 1,
    selector,
    honorAffinity: c.nodeAffinityPolicy !== 'Ignore',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

function eligible(pod: RPod, c: Constraint, node: NodeInfo): boolean {
  if (node.node === undefined || node.labels[c.topologyKey] === undefined) {
    return false;
  }
  if (c.honorAffinity && !podMatchesNodeSelectorAndAffinity(pod, node.node)) {
    return false;
  }
  if (c.honorTaints && firstUntolerated(node.node.spec?.taints, pod.spec.tolerations, (e) => e === 'NoSchedule' || e === 'NoExecute') !== undefined) {
    return false;
  }
  return true;
}

function matching(pod: RPod, c: Constraint, node: NodeInfo): number {
  let n = 0;
  for (const p of node.pods) {
    const m = p.pod.metadata;
    if (m.namespace === pod.metadata.namespace && m.deletionTimestamp === undefined && c.selector.matches(m.labels)) {
      n++;
    }
  }
  return n;
}

function count(pod: RPod, constraints: readonly Constraint[], nodes: readonly NodeInfo[]): SpreadState {
  const s = new SpreadState();
  s.constraints = constraints;
  s.counts = constraints.map(() => new Map<string, number>());
  for (const node of nodes) {
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      if (!eligible(pod, c, node)) {
        continue;
      }
      const v = node.labels[c.topologyKey];
      s.counts[i].set(v, (s.counts[i].get(v) ?? 0) + matching(pod, c, node));
    }
  }
  return s;
}

function update(s: SpreadState, pod: RPod, other: RPod, node: NodeInfo, delta: number): void {
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const v = node.labels[c.topologyKey];
    if (v === undefined || other.metadata.namespace !== pod.metadata.namespace || !c.selector.matches(other.metadata.labels) || !s.counts[i].has(v)) {
      continue;
    }
    s.counts[i].set(v, (s.counts[i].get(v) ?? 0) + delta);
  }
}

const scoreKey = `${Name}/score`;

/** Builds the plugin. */
export function newPodTopologySpread(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: Name,
    events: ['NodeAdd', 'NodeLabelChange', 'NodeTaintChange', 'AssignedPodDelete', 'AssignedPodAdd', 'AssignedPodUpdate'],
    preFilter(state: CycleState, pod: RPod, handle: Handle): MaybeStatus {
      const constraints = constraintsOf(pod, true);
      if (constraints.length === 0) {
        state.skipFilter.add(Name);
        return undefined;
      }
      state.write(Name, count(pod, constraints, handle.nodes()));
      return undefined;
    },
    addPod(state: CycleState, pod: RPod, toAdd: RPod, node: NodeInfo): void {
      const s = state.read<SpreadState>(Name);
      if (s !== undefined) {
        update(s, pod, toAdd, node, 1);
      }
    },
    removePod(state: CycleState, pod: RPod, toRemove: RPod, node: NodeInfo): void {
      const s = state.read<SpreadState>(Name);
      if (s !== undefined) {
        update(s, pod, toRemove, node, -1);
      }
    },
    filter(state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
      const s = state.read<SpreadState>(Name);
      if (s === undefined) {
        return undefined;
      }
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        const v = node.labels[c.topologyKey];
        if (v === undefined) {
          return status(Code.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch);
        }
        const counts = s.counts[i];
        let min = Infinity;
        for (const n of counts.values()) {
          min = Math.min(min, n);
        }
        if (counts.size < c.minDomains || min === Infinity) {
          min = 0;
        }
        const self = c.selector.matches(pod.metadata.labels) ? 1 : 0;
        if ((counts.get(v) ?? 0) + self - min > c.maxSkew) {
          return status(Code.Unschedulable, ErrReasonConstraintsNotMatch);
        }
      }
      return undefined;
    },
    preScore(state: CycleState, pod: RPod, _nodes: readonly NodeInfo[], handle: Handle): MaybeStatus {
      const constraints = constraintsOf(pod, false);
      if (constraints.length === 0) {
        state.skipScore.add(Name);
        return undefined;
      }
      state.write(scoreKey, count(pod, constraints, handle.nodes()));
      return undefined;
    },
    score(state: CycleState, _pod: RPod, node: NodeInfo): number {
      const s = state.read<SpreadState>(scoreKey);
      if (s === undefined) {
        return 0;
      }
      let total = 0;
      for (let i = 0; i < s.constraints.length; i++) {
        const v = node.labels[s.constraints[i].topologyKey];
        if (v !== undefined) {
          // Upstream weighs each constraint by log(domains + 2) so many-domain keys matter more.
          total += (s.counts[i].get(v) ?? 0) * Math.log(s.counts[i].size + 2);
        }
      }
      return Math.round(total);
    },
    normalize(_state: CycleState, _pod: RPod, scores: Float64Array): void {
      let min = Infinity;
      let max = 0;
      for (const s of scores) {
        min = Math.min(min, s);
        max = Math.max(max, s);
      }
      for (let i = 0; i < scores.length; i++) {
        scores[i] = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - scores[i])) / max);
      }
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
