/**
 * External addresses two Services both claim. `spec.externalIPs` are free text, and without an
 * address pool the service-lb controller gives every LoadBalancer Service the nodes' addresses,
 * so two Services can ask for the same `address . protocol . port`. One nft map cannot hold that
 * key twice: the whole transaction would fail and no Service at all would be updated. So the
 * oldest Service (creationTimestamp, then namespace/name) keeps the address and a later one loses
 * it, as k3s's servicelb leaves the later Service without that address.
 */
import { externalIPs } from './service-port.ts';
import type { Service } from './types.ts';

/** A Service that lost external addresses to an older one, and which. */
export interface ExternalConflict {
  readonly service: string;
  readonly addresses: readonly string[];
  readonly heldBy: string;
}

const keyOf = (s: Service): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;
const hasExternal = (s: Service): boolean => (s.spec?.externalIPs?.length ?? 0) > 0 || (s.spec?.type === 'LoadBalancer' && (s.status?.loadBalancer?.ingress?.length ?? 0) > 0);

// The same loser with the same lost addresses maps to the same derived object, so the renderer's
// fragment cache keeps hitting for it between syncs.
const derived = new WeakMap<Service, { readonly lost: string; readonly service: Service }>();

function without(svc: Service, lost: ReadonlySet<string>): Service {
  const key = [...lost].sort().join(',');
  const hit = derived.get(svc);
  if (hit !== undefined && hit.lost === key) {
    return hit.service;
  }
  const spec = svc.spec ?? {};
  const ingress = svc.status?.loadBalancer?.ingress;
  const service: Service = {
    ...svc,
    spec: { ...spec, externalIPs: spec.externalIPs?.filter((ip) => !lost.has(ip)) },
    status: ingress === undefined ? svc.status : { ...svc.status, loadBalancer: { ...svc.status?.loadBalancer, ingress: ingress.filter((i) => i.ip === undefined || !lost.has(i.ip)) } },
  };
  derived.set(svc, { lost: key, service });
  return service;
}

/**
 * Replacements for the Services that lose an external address to an older Service (the address
 * removed from spec.externalIPs and the load-balancer ingress), and what each lost. Services
 * without external addresses cost one check each.
 */
export function resolveExternalConflicts(services: readonly Service[]): { replacements: Map<Service, Service>; conflicts: ExternalConflict[] } {
  const replacements = new Map<Service, Service>();
  const conflicts: ExternalConflict[] = [];
  const withExternal = services.filter(hasExternal);
  if (withExternal.length < 2) {
    return { replacements, conflicts };
  }
  withExternal.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || keyOf(a).localeCompare(keyOf(b)));
  const owner = new Map<string, string>(); // `ip . proto . port` → Service key
  for (const svc of withExternal) {
    const ports = (svc.spec?.ports ?? []).map((p) => `${(p.protocol ?? 'TCP').toLowerCase()} . ${p.port}`);
    const lost = new Set<string>();
    let heldBy = '';
    for (const ip of externalIPs(svc)) {
      const clash = ports.map((p) => owner.get(`${ip} . ${p}`)).find((o) => o !== undefined);
      if (clash !== undefined) {
        lost.add(ip);
        heldBy = clash;
        continue;
      }
      for (const p of ports) {
        owner.set(`${ip} . ${p}`, keyOf(svc));
      }
    }
    if (lost.size > 0) {
      replacements.set(svc, without(svc, lost));
      conflicts.push({ service: keyOf(svc), addresses: [...lost], heldBy });
    }
  }
  return { replacements, conflicts };
}
