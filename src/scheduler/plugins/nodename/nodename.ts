/** NodeName: a pod with spec.nodeName fits only that node. */
import { Code, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, MaybeStatus } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { RPod } from '../../types.ts';

export const Name = 'NodeName';
/** Upstream's ErrReason. */
export const ErrReason = "node(s) didn't match the requested node name";

/** Builds the plugin. */
export function newNodeName(): FilterPlugin {
  return {
    name: Name,
    events: ['NodeAdd'],
    filter(_state: CycleState, pod: RPod, node: NodeInfo): MaybeStatus {
      const want = pod.spec.nodeName;
      if (want === undefined || want === '' || want === node.name) {
        return undefined;
      }
      return status(Code.UnschedulableAndUnresolvable, ErrReason);
    },
  } satisfies FilterPlugin;
}
