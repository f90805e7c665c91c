/**
 * InterPodAffinity: required pod affinity/anti-affinity of the incoming pod, and existing pods'
 * required anti-affinity against it, evaluated per topology domain; preferred terms score.
 */
import { Code, MAX_NODE_SCORE, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, Handle, MaybeStatus, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import { labelSelectorFromMeta } from '../../../api/selectors/index.ts';
import type { LabelSelector } from '../../../api/selectors/index.ts';
import type { DeepReadonly } from '../../../api/object.ts';
import type { PodAffinityTerm, RPod } from '../../types.ts';

export const Name = 'InterPodAffinity';
export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

/** A parsed affinity term. */
interface Term {
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  readonly namespaces: ReadonlySet<string>;
  readonly nsSelector: LabelSelector | undefined;
  readonly weight: number;
}

function parseTerm(owner: RPod, t: DeepReadonly<PodAffinityTerm>, weight: number): Term {
  const extra: { key: string; operator: string; values: string[] }[] = [];
  for (const k of t.matchLabelKeys ?? []) {
    const v = owner.metadata.labels?.[k];
    if (v !== undefined) {
      extra.push({ key: k, operator: 'In', values: [v] });
    }
  }
  for (const k of t.mismatchLabelKeys ?? []) {
    const v = owner.metadata.labels?.[k];
    if (v !== undefined) {
      extra.push({ key: k, operator: 'NotIn', values: [v] });
    }
  }
  const meta = t.labelSelector;
  const selector = meta === undefined || meta === null ? labelSelectorFromMeta(null) : labelSelectorFromMeta({ matchLabels: meta.matchLabels, matchExpressions: [...(meta.matchExpressions ?? []), ...extra] });
  const namespaces = new Set(t.namespaces ?? []);
  const nsSel = t.namespaceSelector === undefined || t.namespaceSelector === null ? undefined : labelSelectorFromMeta(t.namespaceSelector);
  if (namespaces.size === 0 && nsSel === undefined) {
    namespaces.add(owner.metadata.namespace ?? '');
  }
  return { topologyKey: t.topologyKey, selector, namespaces, nsSelector: nsSel, weight };
}

function termMatchesPod(term: Term, pod: RPod, handle: Handle): boolean {
  const ns = pod.metadata.namespace ?? '';
  if (!term.namespaces.has(ns)) {
    if (term.nsSelector === undefined || !term.nsSelector.matches(handle.namespaceLabels(ns) ?? {})) {
      return false;
    }
  }
  return term.selector.matches(pod.metadata.labels);
}

function required(pod: RPod, kind: 'podAffinity' | 'podAntiAffinity'): Term[] {
  return (pod.spec.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t, 1));
}

/** Topology pair `key=value` → count. */
type PairCounts = Map<string, number>;

function bump(m: PairCounts, key: string, value: string | undefined, by: number): void {
  if (value !== undefined) {
    const k = `${key}=${value}`;
    m.set(k, (m.get(k) ?? 0) + by);
  }
}

class AffinityState {
  affinity: Term[] = [];
  anti: Term[] = [];
  /** Domains where existing pods' anti-affinity forbids the incoming pod. */
  existingAnti: PairCounts = new Map();
  /** Per affinity term index: domains holding matching pods. */
  affinityCounts: PairCounts[] = [];
  antiCounts: PairCounts[] = [];

  clone(): AffinityState {
    const c = new AffinityState();
    c.affinity = this.affinity;
    c.anti = this.anti;
    c.existingAnti = new Map(this.existingAnti);
    c.affinityCounts = this.affinityCounts.map((m) => new Map(m));
    c.antiCounts = this.antiCounts.map((m) => new Map(m));
    return c;
  }
}

function account(s: AffinityState, pod: RPod, other: RPod, node: NodeInfo, handle: Handle, by: number): void {
  const labels = node.labels;
  for (const t of required(other, 'podAntiAffinity')) {
    if (termMatchesPod(t, pod, handle)) {
      bump(s.existingAnti, t.topologyKey, labels[t.topologyKey], by);
    }
  }
  for (let i = 0; i < s.affinity.length; i++) {
    if (termMatchesPod(s.affinity[i], other, handle)) {
      bump(s.affinityCounts[i], s.affinity[i].topologyKey, labels[s.affinity[i].topologyKey], by);
    }
  }
  for (let i = 0; i < s.anti.length; i++) {
    if (termMatchesPod(s.anti[i], other, handle)) {
      bump(s.antiCounts[i], s.anti[i].topologyKey, labels[s.anti[i].topologyKey], by);
    }
  }
}

function has(m: PairCounts, key: string, value: string | undefined): boolean {
  return value !== undefined && (m.get(`${key}=${value}`) ?? 0) > 0;
}

const scoreKey = `${Name}/score`;

/** Builds the plugin. */
export function newInterPodAffinity(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  let handleRef: Handle | undefined;
  return {
    name: Name,
    events: ['NodeAdd', 'NodeLabelChange', 'AssignedPodAdd', 'AssignedPodDelete', 'AssignedPodUpdate'],
    preFilter(state: CycleState, pod: RPod, handle: Handle): MaybeStatus {
      handleRef = handle;
      const s = new AffinityState();
      s.affinity = required(pod, 'podAffinity');
      s.anti = required(pod, 'podAntiAffinity');
      s.affinityCounts = s.affinity.map(() => new Map());
      s.antiCounts = s.anti.map(() => new Map());
      const needAll = s.affinity.length > 0 || s.anti.length > 0;
      // Without terms of its own, only existing pods' anti-affinity matters: visit just their nodes.
      for (const node of needAll ? handle.nodes() : handle.nodesWithAffinityPods()) {
        const list = needAll ? node.pods : node.podsWithAffinity;
        for (const p of list) {
          account(s, pod, p.pod, node, handle, 1);
        }
      }
      if (!needAll && s.existingAnti.size === 0) {
        state.skipFilter.add(Name);
        return undefined;
      }
      state.write(Name, s);
      return undefined;
    },
    addPod(state: CycleState, pod: RPod, toAdd: RPod, node: NodeInfo): void {
      const s = state.read<AffinityState>(Name);
      if (s !== undefined && handleRef !== undefined) {
        account(s, pod, toAdd, node, handleRef, 1);
      }
    },
    removePod(state: CycleState, pod: RPod, toRemove: RPod, node: NodeInfo): void {
      const s = state.read<AffinityState>(Name);
      if (s !== undefined && handleRef !== undefined) {
        account(s, pod, toRemove, node, handleRef, -1);
      }
    },
    filter(state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
      const s = state.read<AffinityState>(Name);
      if (s === undefined) {
        return undefined;
      }
      const labels = node.labels;
      for (const [pair, n] of s.existingAnti) {
        if (n > 0) {
          const eq = pair.indexOf('=');
          if (labels[pair.slice(0, eq)] === pair.slice(eq + 1)) {
            return status(Code.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch);
          }
        }
      }
      for (let i = 0; i < s.anti.length; i++) {
        if (has(s.antiCounts[i], s.anti[i].topologyKey, labels[s.anti[i].topologyKey])) {
          return status(Code.Unschedulable, ErrReasonAntiAffinityRulesNotMatch);
        }
      }
      if (s.affinity.length > 0) {
        let allMatch = true;
        for (let i = 0; i < s.affinity.length; i++) {
          if (!has(s.affinityCounts[i], s.affinity[i].topologyKey, labels[s.affinity[i].topologyKey])) {
            allMatch = false;
            break;
          }
        }
        if (!allMatch) {
          // The first pod of a group that selects itself may go anywhere its topology keys exist.
          const noneAnywhere = s.affinityCounts.every((m) => [...m.values()].every((v) => v <= 0));
          const selfMatch = handleRef !== undefined && s.affinity.every((t) => termMatchesPod(t, pod, handleRef as Handle));
          const keysPresent = s.affinity.every((t) => labels[t.topologyKey] !== undefined);
          if (!(noneAnywhere && selfMatch && keysPresent)) {
            return status(Code.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch);
          }
        }
      }
      return undefined;
    },
    preScore(state: CycleState, pod: RPod, _nodes: readonly NodeInfo[], handle: Handle): MaybeStatus {
      const a = pod.spec.affinity;
      const terms = [
        ...(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => parseTerm(pod, w.podAffinityTerm, w.weight)),
        ...(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => parseTerm(pod, w.podAffinityTerm, -w.weight)),
      ];
      if (terms.length === 0) {
        state.skipScore.add(Name);
        return undefined;
      }
      const pairs: PairCounts = new Map();
      for (const node of handle.nodes()) {
        for (const p of node.pods) {
          for (const t of terms) {
            if (termMatchesPod(t, p.pod, handle)) {
              bump(pairs, t.topologyKey, node.labels[t.topologyKey], t.weight);
            }
          }
        }
      }
      state.write(scoreKey, { terms, pairs });
      return undefined;
    },
    score(state: CycleState, _pod: RPod, node: NodeInfo): number {
      const s = state.read<{ terms: Term[]; pairs: PairCounts }>(scoreKey);
      if (s === undefined) {
        return 0;
      }
      let total = 0;
      const seen = new Set<string>();
      for (const t of s.terms) {
        const v = node.labels[t.topologyKey];
        const k = `${t.topologyKey}=${v ?? ''}`;
        if (v !== undefined && !seen.has(k)) {
          seen.add(k);
          total += s.pairs.get(k) ?? 0;
        }
      }
      return total;
    },
    normalize(_state: CycleState, _pod: RPod, scores: Float64Array): void {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        min = Math.min(min, s);
        max = Math.max(max, s);
      }
      for (let i = 0; i < scores.length; i++) {
        scores[i] = max === min ? 0 : Math.floor((MAX_NODE_SCORE * (scores[i] - min)) / (max - min));
      }
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
