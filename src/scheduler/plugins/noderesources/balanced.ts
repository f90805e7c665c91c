/** NodeResourcesBalancedAllocation: prefers nodes whose CPU and memory would be used in equal shares. */
import { MAX_NODE_SCORE } from '../../framework/interface.ts';
import type { CycleState, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import { podRequests } from '../../framework/resource.ts';
import type { RPod } from '../../types.ts';

export const Name = 'NodeResourcesBalancedAllocation';

/** Builds the plugin. */
export function newBalancedAllocation(): ScorePlugin {
  return {
    name: Name,
    score(_state: CycleState, pod: RPod, node: NodeInfo): number {
      const req = podRequests(pod).nonZero;
      const a = node.allocatable;
      if (a.milliCPU === 0 || a.memory === 0) {
        return 0;
      }
      const cpu = Math.min(1, (node.nonZeroRequested.milliCPU + req.milliCPU) / a.milliCPU);
      const mem = Math.min(1, (node.nonZeroRequested.memory + req.memory) / a.memory);
      // Standard deviation of two fractions is half their distance.
      const std = Math.abs(cpu - mem) / 2;
      return Math.floor((1 - std) * MAX_NODE_SCORE);
    },
  } satisfies ScorePlugin;
}
