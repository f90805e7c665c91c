/**
 * NodeResourcesFit: the pod's requests (containers, init containers, overhead, extended
 * resources) must fit in allocatable minus what the node's pods already request; the pod
 * count must stay under allocatable pods. Scores with LeastAllocated (upstream's default).
 */
import { Code, MAX_NODE_SCORE, Status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, MaybeStatus, ScorePlugin } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import { podRequests } from '../../framework/resource.ts';
import type { RPod } from '../../types.ts';

export const Name = 'NodeResourcesFit';

/** One shortfall, as upstream's InsufficientResource. */
export interface InsufficientResource {
  readonly resourceName: string;
  readonly reason: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
}

/**
 * Records one shortfall in `out`; true when there is no `out` to fill, i.e. the caller only asks
 * whether there is any and can stop at this first one.
 */
function stopAt(out: InsufficientResource[] | undefined, s: InsufficientResource): boolean {
  out?.push(s);
  return out === undefined;
}

/**
 * Walks the pod's shortfalls on the node in upstream's order (pods, cpu, memory,
 * ephemeral-storage, scalar resources): each goes to `out`; without `out` the walk stops at the
 * first one (`out` starts empty). True if there is any. The filter asks without `out` first, so a node that fits
 * (nearly every node it looks at) costs no allocation.
 */
function shortfalls(pod: RPod, node: NodeInfo, out: InsufficientResource[] | undefined): boolean {
  const allowed = node.allocatable.allowedPodNumber;
  if (node.pods.length + 1 > allowed && stopAt(out, { resourceName: 'pods', reason: 'Too many pods', requested: 1, used: node.pods.length, capacity: allowed })) {
    return true;
  }
  const req = podRequests(pod).requests;
  const alloc = node.allocatable;
  const used = node.requested;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && (req.scalar === undefined || req.scalar.size === 0)) {
    return out !== undefined && out.length > 0;
  }
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU && stopAt(out, { resourceName: 'cpu', reason: 'Insufficient cpu', requested: req.milliCPU, used: used.milliCPU, capacity: alloc.milliCPU })) {
    return true;
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory && stopAt(out, { resourceName: 'memory', reason: 'Insufficient memory', requested: req.memory, used: used.memory, capacity: alloc.memory })) {
    return true;
  }
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage && stopAt(out, { resourceName: 'ephemeral-storage', reason: 'Insufficient ephemeral-storage', requested: req.ephemeralStorage, used: used.ephemeralStorage, capacity: alloc.ephemeralStorage })) {
    return true;
  }
  if (req.scalar !== undefined) {
    for (const [name, amount] of req.scalar) {
      if (amount === 0) {
        continue;
      }
      const a = alloc.scalar?.get(name) ?? 0;
      const u = used.scalar?.get(name) ?? 0;
      if (amount > a - u && stopAt(out, { resourceName: name, reason: `Insufficient ${name}`, requested: amount, used: u, capacity: a })) {
        return true;
      }
    }
  }
  return out !== undefined && out.length > 0;
}

/** Every resource the pod lacks on the node (empty when it fits). */
export function insufficientResources(pod: RPod, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  shortfalls(pod, node, out);
  return out;
}

/** LeastAllocated for one resource: the share left free after placing the pod, 0..100. */
function leastAllocated(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) {
    return 0;
  }
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** Builds the plugin. */
export function newNodeResourcesFit(): FilterPlugin & ScorePlugin {
  return {
    name: Name,
    events: ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete', 'AssignedPodUpdate'],
    filter(_state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
      if (!shortfalls(pod, node, undefined)) {
        return undefined;
      }
      return new Status(Code.Unschedulable, insufficientResources(pod, node).map((m) => m.reason));
    },
    score(_state: CycleState, pod: RPod, node: NodeInfo): number {
      const req = podRequests(pod).nonZero;
      const cpu = leastAllocated(node.nonZeroRequested.milliCPU + req.milliCPU, node.allocatable.milliCPU);
      const mem = leastAllocated(node.nonZeroRequested.memory + req.memory, node.allocatable.memory);
      return Math.floor((cpu + mem) / 2);
    },
  } satisfies FilterPlugin & ScorePlugin;
}
