/**
 * The speaker side of the built-in service load balancer (k8ts's answer to MetalLB L2 mode):
 * each pool address held by a LoadBalancer Service is carried by exactly one Ready node, chosen
 * by rendezvous hashing so every agent agrees without talking; that node adds it as a /32 to its
 * node interface, which makes the kernel answer ARP for it, and kube-proxy DNATs it. Addresses
 * are handed out by the controller manager's service-lb-controller (src/controllers/servicelb).
 */
import { createHash } from 'node:crypto';
import { heldAddress, wantsAddress } from '../controllers/servicelb/pool.ts';
import type { LbService } from '../controllers/servicelb/pool.ts';

/** The fields of a Node the speaker choice reads. */
export interface LbNode {
  readonly metadata: { readonly name?: string };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

/** Names of the Ready nodes, sorted. */
export function readyNodes(nodes: Iterable<LbNode>): string[] {
  return [...nodes].filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name ?? '').filter((n) => n !== '').sort();
}

/** The node that announces `ip` (rendezvous hashing over the Ready nodes: stable when others come and go). */
export function speakerFor(ip: string, ready: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = '';
  for (const node of ready) {
    const score = createHash('sha256').update(`${ip}/${node}`).digest('hex');
    if (best === undefined || score > bestScore) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

/** The pool addresses this node should carry: held by a LoadBalancer Service and spoken for by `self`. */
export function announcedBy(self: string, services: Iterable<LbService>, pool: ReadonlySet<string>, ready: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of services) {
    const ip = wantsAddress(s) ? heldAddress(s, pool) : undefined;
    if (ip !== undefined && speakerFor(ip, ready) === self) {
      out.add(ip);
    }
  }
  return [...out].sort();
}
