/** NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods tolerating the unschedulable taint. */
import { Code, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, MaybeStatus } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { RPod } from '../../types.ts';
import { anyTolerates } from '../helper/taints.ts';

export const Name = 'NodeUnschedulable';
export const ErrReasonUnschedulable = 'node(s) were unschedulable';
export const ErrReasonUnknownCondition = 'node(s) had unknown conditions';

const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

/** Builds the plugin. */
export function newNodeUnschedulable(): FilterPlugin {
  return {
    name: Name,
    events: ['NodeAdd', 'NodeSchedulableChange', 'NodeTaintChange'],
    filter(_state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
      if (node.node === undefined) {
        return status(Code.UnschedulableAndUnresolvable, ErrReasonUnknownCondition);
      }
      if (!node.unschedulable || anyTolerates(pod.spec.tolerations, unschedulableTaint)) {
        return undefined;
      }
      return status(Code.UnschedulableAndUnresolvable, ErrReasonUnschedulable);
    },
  } satisfies FilterPlugin;
}
