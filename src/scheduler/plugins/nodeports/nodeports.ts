/** NodePorts: a pod's host ports must not clash with ports in use on the node (0.0.0.0 clashes with every IP). */
import { Code, status } from '../../framework/interface.ts';
import type { CycleState, FilterPlugin, MaybeStatus, PreFilterPlugin } from '../../framework/interface.ts';
import { hostPortsOf } from '../../framework/nodeinfo.ts';
import type { HostPort, NodeInfo } from '../../framework/nodeinfo.ts';
import type { RPod } from '../../types.ts';

export const Name = 'NodePorts';
export const ErrReason = "node(s) didn't have free ports for the requested pod ports";

/** True if the two host ports conflict. */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0');
}

/** Builds the plugin. */
export function newNodePorts(): PreFilterPlugin & FilterPlugin {
  return {
    name: Name,
    events: ['NodeAdd', 'AssignedPodDelete'],
    preFilter(state: CycleState, pod: RPod): MaybeStatus {
      const ports = hostPortsOf(pod);
      if (ports.length === 0) {
        state.skipFilter.add(Name);
        return undefined;
      }
      state.write(Name, ports);
      return undefined;
    },
    filter(state: CycleState, _pod: RPod, node: NodeInfo): MaybeStatus {
      const want = state.read<readonly HostPort[]>(Name) ?? [];
      for (const w of want) {
        for (const u of node.usedPorts) {
          if (portsConflict(w, u)) {
            return status(Code.Unschedulable, ErrReason);
          }
        }
      }
      return undefined;
    },
  } satisfies PreFilterPlugin & FilterPlugin;
}
