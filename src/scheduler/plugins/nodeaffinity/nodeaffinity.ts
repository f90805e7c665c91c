/** NodeAffinity: nodeSelector and required node affinity filter; preferred terms add their weights to the score. */
import { Code, defaultNormalize, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, MaybeStatus, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { RPod } from '../../types.ts';
import { podMatchesNodeSelectorAndAffinity, termMatches } from '../helper/nodeselector.ts';

export const Name = 'NodeAffinity';
export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

/** Builds the plugin. */
export function newNodeAffinity(): FilterPlugin & ScorePlugin {
  return {
    name: Name,
    events: ['NodeAdd', 'NodeLabelChange'],
    filter(_state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
      if (node.node === undefined || podMatchesNodeSelectorAndAffinity(pod, node.node)) {
        return undefined;
      }
      return status(Code.UnschedulableAndUnresolvable, ErrReasonPod);
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
  } satisfies FilterPlugin & ScorePlugin;
}
