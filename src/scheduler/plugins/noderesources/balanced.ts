/**
 * NodeResourcesBalancedAllocation: prefers nodes whose CPU and memory would be used in equal
 * shares. As upstream, it counts the pods' actual requests (not the non-zero defaults the
 * spreading scores use), skips a resource the node has none of, and skips BestEffort pods
 * altogether (scoring them would pile them onto one node: kubernetes/kubernetes#129138).
 */
import { Code, MAX_NODE_SCORE, status } from '../../framework/interface.ts';
import type { CycleState, MaybeStatus, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import { podRequests } from '../../framework/resource.ts';
import type { RPod } from '../../types.ts';

export const Name = 'NodeResourcesBalancedAllocation';

/** The share of `allocatable` used with this pod (at most 1); undefined when the node has none of it. */
function fraction(requested: number, allocatable: number): number | undefined {
  return allocatable === 0 ? undefined : Math.min(1, requested / allocatable);
}

/** Builds the plugin. */
export function newBalancedAllocation(): PreScorePlugin & ScorePlugin {
  return {
    name: Name,
    preScore(_state: CycleState, pod: RPod): MaybeStatus {
      const req = podRequests(pod).requests;
      return req.milliCPU === 0 && req.memory === 0 ? status(Code.Skip) : undefined;
    },
    score(_state: CycleState, pod: RPod, node: NodeInfo): number {
      const req = podRequests(pod).requests;
      const a = node.allocatable;
      const cpu = fraction(node.requested.milliCPU + req.milliCPU, a.milliCPU);
      const mem = fraction(node.requested.memory + req.memory, a.memory);
      // The standard deviation of two fractions is half their distance; of one (or none), 0.
      const std = cpu === undefined || mem === undefined ? 0 : Math.abs(cpu - mem) / 2;
      return Math.floor((1 - std) * MAX_NODE_SCORE);
    },
  } satisfies PreScorePlugin & ScorePlugin;
}
