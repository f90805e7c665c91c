/**
 * DefaultPreemption: when no node fits, find nodes where evicting lower-priority pods would
 * let the pod fit, keep as many of those pods as possible (highest priority first), and pick
 * the node whose victims matter least. The scheduler then deletes the victims and nominates
 * the node. PodDisruptionBudgets are not considered yet.
 */
import { Code, Status } from '../../framework/interface.ts';
import type { CycleState, Handle, PostFilterPlugin, PostFilterResult } from '../../framework/interface.ts';
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
}

function startTime(p: RPod): string {
  return p.metadata.creationTimestamp ?? '';
}

/** Victims on one node, or undefined if even evicting every lower-priority pod does not help. */
export function selectVictimsOnNode(fwk: Framework, state: CycleState, pod: RPod, node: NodeInfo): RPod[] | undefined {
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
  // Reprieve: add back the most important pods first while the preemptor still fits.
  lower.sort((a, b) => podPriority(b) - podPriority(a) || startTime(a).localeCompare(startTime(b)));
  const victims: RPod[] = [];
  for (const v of lower) {
    const info = node.pods.find((p) => p.pod === v);
    if (info === undefined) {
      continue;
    }
    sim.addPod(info);
    fwk.runPreFilterExtension(st, pod, v, sim, true);
    if (fwk.runFilters(st, pod, sim) !== undefined) {
      sim.removePod(v);
      fwk.runPreFilterExtension(st, pod, v, sim, false);
      victims.push(v);
    }
  }
  return victims;
}

/** Upstream's pickOneNodeForPreemption order: lowest top victim priority, lowest priority sum, fewest victims. */
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
    const key = [top, sum, c.victims.length];
    if (best === undefined || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))) {
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
        const victims = selectVictimsOnNode(ctx.framework, state, pod, node);
        if (victims === undefined) {
          reasons.set(node.name, new Status(Code.Unschedulable, [NoVictims]));
        } else {
          candidates.push({ nodeName: node.name, victims });
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
