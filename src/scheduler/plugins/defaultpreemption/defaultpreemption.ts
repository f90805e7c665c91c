/**
 * DefaultPreemption: when no node fits, find nodes where evicting lower-priority pods would
 * let the pod fit, keep as many of those pods as possible (highest priority first), and pick
 * the node whose victims matter least. The scheduler then deletes the victims and nominates
 * the node. PodDisruptionBudgets count as upstream counts them: victims whose eviction would
 * exceed a budget's disruptionsAllowed are reprieved first, and nodes needing fewer such
 * violations win before any priority comparison (a budget is honoured on a best-effort basis).
 */
import { Code, Status } from '../../framework/interface.ts';
import type { CycleState, DisruptionBudget, Handle, PostFilterPlugin, PostFilterResult } from '../../framework/interface.ts';
import { isEmptySelector, selectorMatches } from '../../../api/validation/labelselector.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { FrameworkContext } from '../../framework/runtime.ts';
import type { Framework } from '../../framework/runtime.ts';
import { podPriority } from '../../types.ts';
import type { RPod } from '../../types.ts';

export const Name = 'DefaultPreemption';
export const NoVictims = 'No preemption victims found for incoming pod';
export const NotHelpful = 'Preemption is not helpful for scheduling';

/** A node where preemption works, and what it costs. */
export interface Candidate {
  readonly nodeName: string;
  readonly victims: readonly RPod[];
  /** How many victims' eviction would violate a PodDisruptionBudget (default 0). */
  readonly pdbViolations?: number;
}

/**
 * Splits pods (in eviction order) into those whose eviction would violate a budget and those
 * that would not, spending each matching budget's disruptionsAllowed as it goes (upstream's
 * filterPodsWithPDBViolation; pods a budget already counts as disrupted cost nothing).
 */
export function splitByBudgetViolation(pods: readonly RPod[], budgets: readonly DisruptionBudget[]): { violating: RPod[]; nonViolating: RPod[] } {
  const allowed = budgets.map((b) => b.status?.disruptionsAllowed ?? 0);
  const violating: RPod[] = [];
  const nonViolating: RPod[] = [];
  for (const p of pods) {
    let violates = false;
    budgets.forEach((b, i) => {
      if (b.metadata.namespace !== p.metadata.namespace || isEmptySelector(b.spec?.selector) || !selectorMatches(b.spec?.selector, p.metadata.labels ?? {})) {
        return;
      }
      if (b.status?.disruptedPods?.[p.metadata.name ?? ''] !== undefined) {
        return;
      }
      allowed[i]--;
      if (allowed[i] < 0) {
        violates = true;
      }
    });
    (violates ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

function startTime(p: RPod): string {
  return p.metadata.creationTimestamp ?? '';
}

/**
 * Victims on one node and how many of them violate a budget, or undefined if even evicting every
 * lower-priority pod does not help.
 */
export function selectVictimsOnNode(fwk: Framework, state: CycleState, pod: RPod, node: NodeInfo, budgets: readonly DisruptionBudget[] = []): { victims: RPod[]; pdbViolations: number } | undefined {
  const prio = podPriority(pod);
  const sim = node.clone();
  const st = state.clone();
  const lower = sim.pods.filter((p) => podPriority(p.pod) < prio).map((p) => p.pod);
  if (lower.length === 0) {
    return undefined;
  }
  for (const v of lower) {
    sim.removePod(v);
    fwk.runPreFilterExtension(st, pod, v, sim, false);
  }
  if (fwk.runFilters(st, pod, sim) !== undefined) {
    return undefined;
  }
  // Reprieve: add back the most important pods first while the preemptor still fits; pods
  // protected by a budget get their chance before the others, as upstream does.
  lower.sort((a, b) => podPriority(b) - podPriority(a) || startTime(a).localeCompare(startTime(b)));
  const { violating, nonViolating } = splitByBudgetViolation(lower, budgets);
  const victims: RPod[] = [];
  let pdbViolations = 0;
  const reprieve = (v: RPod): boolean => {
    const info = node.pods.find((p) => p.pod === v);
    if (info === undefined) {
      return true;
    }
    sim.addPod(info);
    fwk.runPreFilterExtension(st, pod, v, sim, true);
    if (fwk.runFilters(st, pod, sim) === undefined) {
      return true;
    }
    sim.removePod(v);
    fwk.runPreFilterExtension(st, pod, v, sim, false);
    victims.push(v);
    return false;
  };
  for (const v of violating) {
    if (!reprieve(v)) {
      pdbViolations++;
    }
  }
  for (const v of nonViolating) {
    reprieve(v);
  }
  return { victims, pdbViolations };
}

/** Upstream's pickOneNodeForPreemption order: fewest PDB violations, lowest top victim priority, lowest priority sum, fewest victims. */
export function pickCandidate(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  let bestKey: number[] = [];
  for (const c of candidates) {
    if (c.victims.length === 0) {
      return c;
    }
    const top = Math.max(...c.victims.map(podPriority));
    // Shift priorities so a sum of negative ones still orders correctly (as upstream adds MaxInt32+1).
    const sum = c.victims.reduce((s, v) => s + podPriority(v) + 2 ** 31, 0);
    const key = [c.pdbViolations ?? 0, top, sum, c.victims.length];
    const better = (): boolean => {
      for (let i = 0; i < key.length; i++) {
        if (key[i] !== bestKey[i]) {
          return key[i] < bestKey[i];
        }
      }
      return false;
    };
    if (best === undefined || better()) {
      best = c;
      bestKey = key;
    }
  }
  return best;
}

/** Builds the plugin. */
export function newDefaultPreemption(ctx: FrameworkContext): PostFilterPlugin {
  return {
    name: Name,
    postFilter(state: CycleState, pod: RPod, filtered: ReadonlyMap<string, Status>, handle: Handle): PostFilterResult {
      if (pod.spec.preemptionPolicy === 'Never') {
        return { status: new Status(Code.Unschedulable, ['preemption: not eligible due to preemptionPolicy=Never.']) };
      }
      const nominated = pod.status?.nominatedNodeName;
      if (nominated !== undefined && nominated !== '') {
        const n = handle.node(nominated);
        const prio = podPriority(pod);
        if (n?.pods.some((p) => p.pod.metadata.deletionTimestamp !== undefined && podPriority(p.pod) < prio) === true) {
          return { status: new Status(Code.Unschedulable, ['preemption: not eligible due to a terminating pod on the nominated node.']) };
        }
      }
      const all = handle.nodes();
      const budgets = handle.podDisruptionBudgets?.() ?? [];
      const reasons = new Map<string, Status>();
      const candidates: Candidate[] = [];
      // Like upstream, dry-run at most max(100, 10% of nodes) candidates, from a random offset.
      const limit = Math.max(100, Math.floor(all.length / 10));
      const offset = Math.floor(Math.random() * Math.max(1, all.length));
      for (let i = 0; i < all.length; i++) {
        const node = all[(offset + i) % all.length];
        const s = filtered.get(node.name);
        if (s !== undefined && s.code === Code.UnschedulableAndUnresolvable) {
          reasons.set(node.name, new Status(Code.UnschedulableAndUnresolvable, [NotHelpful]));
          continue;
        }
        if (candidates.length >= limit) {
          reasons.set(node.name, new Status(Code.Unschedulable, [NoVictims]));
          continue;
        }
        const selected = selectVictimsOnNode(ctx.framework, state, pod, node, budgets);
        if (selected === undefined) {
          reasons.set(node.name, new Status(Code.Unschedulable, [NoVictims]));
        } else {
          candidates.push({ nodeName: node.name, victims: selected.victims, pdbViolations: selected.pdbViolations });
        }
      }
      const best = pickCandidate(candidates);
      if (best === undefined) {
        const hist = [...countReasons(reasons)].map(([r, n]) => `${n} ${r}`).sort().join(', ');
        return { status: new Status(Code.Unschedulable, [`preemption: 0/${all.length} nodes are available: ${hist}.`]) };
      }
      return { nominatedNodeName: best.nodeName, victims: best.victims, status: new Status(Code.Success) };
    },
  } satisfies PostFilterPlugin;
}

function countReasons(m: ReadonlyMap<string, Status>): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of m.values()) {
    for (const r of s.reasons) {
      out.set(r, (out.get(r) ?? 0) + 1);
    }
  }
  return out;
}
