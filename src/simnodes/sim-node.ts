/** The in-memory state of one simulated node (kept small: 5,000 of these live in one process). */
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { PAUSED_KEY } from './config.ts';

/** One simulated node: identity, what the API last told us about it, and in-flight flags. */
export interface SimNode {
  readonly name: string;
  /** Position in the fleet: picks its heartbeat slot, host IP and fallback pod range. */
  readonly index: number;
  readonly hostIp: string;
  uid: string | undefined;
  /** spec.podCIDRs (or spec.podCIDR) as last seen. */
  podCidrs: readonly string[];
  /** `sim.k8ts.dev/paused=true` label or annotation: the kubelet is silent. */
  paused: boolean;
  /** Registered (created or found) by this process. */
  registered: boolean;
  registering: boolean;
  /** The Node object was deleted after registration: stop heartbeats (a kubelet would not re-register either). */
  gone: boolean;
  /** resourceVersion of our Lease as last written/read. */
  leaseRv: string | undefined;
  leaseBusy: boolean;
  statusBusy: boolean;
}

/** A fresh, unregistered node. */
export function newSimNode(name: string, index: number, hostIp: string): SimNode {
  return { name, index, hostIp, uid: undefined, podCidrs: [], paused: false, registered: false, registering: false, gone: false, leaseRv: undefined, leaseBusy: false, statusBusy: false };
}

/** True when a Node object asks its simulated kubelet to stop (label or annotation `sim.k8ts.dev/paused=true`). */
export function isPausedNode(node: DeepReadonly<KubeObject>): boolean {
  return node.metadata.labels?.[PAUSED_KEY] === 'true' || node.metadata.annotations?.[PAUSED_KEY] === 'true';
}

/** The pod CIDRs a Node object carries (podCIDRs, else podCIDR). */
export function podCidrsOf(node: DeepReadonly<KubeObject>): string[] {
  const spec = (node.spec ?? {}) as { podCIDR?: string; podCIDRs?: readonly string[] };
  if (spec.podCIDRs !== undefined && spec.podCIDRs.length > 0) {
    return [...spec.podCIDRs];
  }
  return spec.podCIDR === undefined || spec.podCIDR === '' ? [] : [spec.podCIDR];
}
