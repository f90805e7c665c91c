/** TaintToleration: NoSchedule/NoExecute taints must be tolerated; untolerated PreferNoSchedule taints lower the score. */
import { Code, defaultNormalize, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, MaybeStatus, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { DeepReadonly } from '../../../api/object.ts';
import type { Toleration } from '../../types.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { RPod } from '../../types.ts';
import { anyTolerates, firstUntolerated } from '../helper/taints.ts';

export const Name = 'TaintToleration';

const hard = (e: string): boolean => e === 'NoSchedule' || e === 'NoExecute';

/** Builds the plugin. */
export function newTaintToleration(): FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: Name,
    events: ['NodeAdd', 'NodeTaintChange'],
    filter(_state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
      const taint = firstUntolerated(node.taints, pod.spec.tolerations, hard);
      if (taint === undefined) {
        return undefined;
      }
      return status(Code.UnschedulableAndUnresolvable, `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    },
    preScore(state: CycleState, pod: RPod): MaybeStatus {
      // Only PreferNoSchedule tolerations (or effect-less ones) count, as upstream's PreScore filters them.
      state.write(Name, pod.spec.tolerations?.filter((t) => t.effect === undefined || t.effect === '' || t.effect === 'PreferNoSchedule'));
      return undefined;
    },
    score(state: CycleState, _pod: RPod, node: NodeInfo): number {
      const taints = node.taints;
      if (taints === undefined) {
        return 0;
      }
      let n = 0;
      const tols = state.read<readonly DeepReadonly<Toleration>[]>(Name);
      for (const t of taints) {
        if (t.effect === 'PreferNoSchedule' && !anyTolerates(tols, t)) {
          n++;
        }
      }
      return n;
    },
    normalize(_state: CycleState, _pod: RPod, scores: Float64Array): void {
      defaultNormalize(scores, true);
    },
  } satisfies FilterPlugin & PreScorePlugin & ScorePlugin;
}
