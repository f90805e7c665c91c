/** NodeAffinity: nodeSelector and required node affinity filter; preferred terms add their weights to the score. */
import { Code, defaultNormalize, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, MaybeStatus, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { RPod } from '../../types.ts';
import { podMatchesNodeSelectorAndAffinity, termMatches } from '../helper/nodeselector.ts';

export const Name = 'NodeAffinity';
export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

/** Builds the plugin. */
export function newNodeAffinity(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: Name,
    events: ['NodeAdd', 'NodeLabelChange'],
    preFilter(_state: CycleState, pod: RPod): MaybeStatus {
      // As upstream: without a nodeSelector or required node affinity the Filter has nothing to check.
      const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      return pod.spec.nodeSelector === undefined && (required === undefined || required === null) ? status(Code.Skip) : undefined;
    },
    filter(_state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
      if (node.node === undefined || podMatchesNodeSelectorAndAffinity(pod, node.node)) {
        return undefined;
      }
      return status(Code.UnschedulableAndUnresolvable, ErrReasonPod);
    },
    preScore(_state: CycleState, pod: RPod): MaybeStatus {
      // As upstream: no preferred terms, every node would score 0.
      const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      return preferred === undefined || preferred.length === 0 ? status(Code.Skip) : undefined;
    },
    score(_state: CycleState, pod: RPod, node: NodeInfo): number {
      const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      if (preferred === undefined || node.node === undefined) {
        return 0;
      }
      let sum = 0;
      for (const p of preferred) {
        if (p.weight !== 0 && termMatches(p.preference, node.node)) {
          sum += p.weight;
        }
      }
      return sum;
    },
    normalize(_state: CycleState, _pod: RPod, scores: Float64Array): void {
      defaultNormalize(scores, false);
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
