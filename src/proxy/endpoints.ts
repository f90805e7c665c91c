/**
 * Which endpoints a service port may use, following upstream's CategorizeEndpoints: ready
 * endpoints when there are any, otherwise the serving-and-terminating ones (so a rolling
 * update never leaves a gap); "local" means on this node (traffic policy Local).
 */
import type { EndpointSlice, Service, ServicePort } from './types.ts';
import { SERVICE_NAME_LABEL } from './types.ts';

/** One backend of a service port: an IPv4 address and the port number to DNAT to. */
export interface Backend {
  readonly ip: string;
  readonly port: number;
  readonly nodeName?: string;
  readonly ready: boolean;
  readonly servingTerminating: boolean;
}

/** The endpoints usable for cluster-wide and for node-local traffic. */
export interface CategorizedBackends {
  readonly cluster: readonly Backend[];
  readonly local: readonly Backend[];
}

/**
 * Each cached object's `namespace/name` key, built once: every sync looks all objects up by it,
 * and a string built afresh each time must be flattened and hashed again (a large part of a
 * 5,000-Service sync's own time). Informer caches hand out the same object until it changes.
 */
const keys = new WeakMap<object, string>();

/** The `namespace/service-name` a Service (its own name) or EndpointSlice (its service-name label) belongs to. */
export function serviceKeyOf(o: Service | EndpointSlice, name: string): string {
  let key = keys.get(o);
  if (key === undefined) {
    key = `${o.metadata.namespace ?? ''}/${name}`;
    keys.set(o, key);
  }
  return key;
}

/** Indexes EndpointSlices by `namespace/service-name` (IPv4 slices only: the table is `ip`). */
export function slicesByService(slices: Iterable<EndpointSlice>): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (svc === undefined || s.addressType !== 'IPv4') {
      continue;
    }
    const key = serviceKeyOf(s, svc);
    const list = out.get(key);
    if (list === undefined) {
      out.set(key, [s]);
    } else {
      list.push(s);
    }
  }
  return out;
}

/**
 * The backends of one service port: slice ports are matched by the service port's name (that
 * is how a named targetPort resolves to a number per pod), duplicates across slices dropped.
 */
export function backendsFor(port: ServicePort, slices: readonly EndpointSlice[]): Backend[] {
  const name = port.name ?? '';
  const protocol = port.protocol ?? 'TCP';
  const seen = new Map<string, Backend>();
  for (const slice of slices) {
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === name && (p.protocol ?? 'TCP') === protocol);
    if (sp?.port === undefined) {
      continue;
    }
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses[0];
      if (ip === undefined) {
        continue;
      }
      const key = `${ip}:${sp.port}`;
      if (seen.has(key)) {
        continue;
      }
      // Upstream: a nil `ready` means ready; nil `serving` follows ready; nil `terminating` is false.
      const ready = ep.conditions?.ready ?? true;
      const serving = ep.conditions?.serving ?? ready;
      const terminating = ep.conditions?.terminating ?? false;
      seen.set(key, { ip, port: sp.port, nodeName: ep.nodeName, ready, servingTerminating: serving && terminating });
    }
  }
  if (seen.size < 2) {
    return [...seen.values()];
  }
  // Numeric IP order, then port: a stable order keeps the rendered text stable.
  const keyed = [...seen.values()].map((b) => [b.ip.split('.').map((n) => n.padStart(3, '0')).join('.'), b] as const);
  keyed.sort((a, b) => (a[0] === b[0] ? a[1].port - b[1].port : a[0] < b[0] ? -1 : 1));
  return keyed.map((e) => e[1]);
}

function usable(all: readonly Backend[]): Backend[] {
  const ready = all.filter((b) => b.ready);
  return ready.length > 0 ? ready : all.filter((b) => b.servingTerminating);
}

/** Splits backends into the cluster-wide and the node-local usable sets. */
export function categorize(all: readonly Backend[], hostname: string): CategorizedBackends {
  return { cluster: usable(all), local: usable(all.filter((b) => b.nodeName === hostname)) };
}

/** True when the Service gets proxy rules at all (headless and ExternalName Services do not). */
export function isProxied(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return svc.spec?.type !== 'ExternalName' && ip !== undefined && ip !== '' && ip !== 'None' && !ip.includes(':');
}
