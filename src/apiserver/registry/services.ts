/**
 * Service address allocation (upstream's service REST ipallocator/portallocator, reduced to
 * single-stack IPv4): a ClusterIP from the service CIDR and NodePorts from the node-port range,
 * checked against every existing Service. Writes to Services run one at a time
 * (serviceWriteLock) so two creates cannot take the same address.
 */
import { invalid } from '../../api/errors.ts';
import type { FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { randomInt } from 'node:crypto';
import { resourcePrefix } from './codec.ts';
import type { RegistryCore } from './core.ts';

/** Where ClusterIPs and NodePorts come from. */
export interface ServiceRanges {
  /** IPv4 CIDR, upstream's --service-cluster-ip-range (default 10.96.0.0/12). */
  readonly clusterIPRange: string;
  /** Inclusive range, upstream's --service-node-port-range (default 30000-32767). */
  readonly nodePortRange: readonly [number, number];
}

export const defaultServiceRanges: ServiceRanges = { clusterIPRange: '10.96.0.0/12', nodePortRange: [30000, 32767] };

interface Port {
  name?: string;
  port?: number;
  nodePort?: number;
  protocol?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: Port[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  allocateLoadBalancerNodePorts?: boolean;
}

/** True for core/v1 Services. */
export function isService(desc: ResourceDescription): boolean {
  return desc.group === '' && desc.resource === 'services';
}

function parseIPv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (m === null) {
    return undefined;
  }
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) {
    return undefined;
  }
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** First and last usable addresses of a CIDR (network and broadcast excluded, like upstream). */
export function cidrBounds(cidr: string): { first: number; last: number } {
  const [ip, bits] = cidr.split('/');
  const base = parseIPv4(ip);
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 30) {
    throw new Error(`invalid service CIDR ${cidr}`);
  }
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  return { first: network + 1, last: network + size - 2 };
}

function needsClusterIP(spec: ServiceSpec): boolean {
  return spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
}

function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** Sets spec.clusterIP(s) and nodePorts the client left empty, and checks the ones it chose (422 like upstream). */
export async function allocateServiceAddresses(core: RegistryCore, desc: ResourceDescription, obj: KubeObject, ranges: ServiceRanges): Promise<void> {
  const spec = (obj.spec ?? {}) as ServiceSpec;
  obj.spec = spec;
  const cache = (await core.freshCache(desc)) ?? (await core.cache(desc));
  const usedIPs = new Set<string>();
  const usedPorts = new Set<string>();
  const self = `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
  for (const svc of cache.list(resourcePrefix(desc))) {
    if (`${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}` === self) {
      continue;
    }
    const s = (svc.spec ?? {}) as ServiceSpec;
    for (const ip of s.clusterIPs ?? (s.clusterIP !== undefined ? [s.clusterIP] : [])) {
      usedIPs.add(ip);
    }
    for (const p of s.ports ?? []) {
      if (p.nodePort !== undefined) {
        usedPorts.add(`${p.protocol ?? 'TCP'}/${p.nodePort}`);
      }
    }
  }
  const errors: FieldError[] = [];
  if (needsClusterIP(spec)) {
    const { first, last } = cidrBounds(ranges.clusterIPRange);
    const wanted = spec.clusterIP ?? spec.clusterIPs?.[0] ?? '';
    if (wanted === '') {
      let ip: string | undefined;
      for (let i = 0; i < 64 && ip === undefined; i++) {
        const candidate = formatIPv4(first + randomInt(Math.max(1, last - first + 1)));
        if (!usedIPs.has(candidate)) {
          ip = candidate;
        }
      }
      for (let n = first; ip === undefined && n <= last; n++) {
        if (!usedIPs.has(formatIPv4(n))) {
          ip = formatIPv4(n);
        }
      }
      if (ip === undefined) {
        errors.push({ type: 'InternalError', field: 'spec.clusterIPs', message: 'Internal error: failed to allocate a serviceIP: range is full' });
      } else {
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      }
    } else {
      const n = parseIPv4(wanted);
      const shown = `[]string{${JSON.stringify(wanted)}}`;
      if (n === undefined || n < first || n > last) {
        errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ${shown}: failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${ranges.clusterIPRange}` });
      } else if (usedIPs.has(wanted)) {
        errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ${shown}: failed to allocate IP ${wanted}: provided IP is already allocated` });
      } else {
        spec.clusterIP = wanted;
        spec.clusterIPs = [wanted];
      }
    }
    if (errors.length === 0) {
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
    }
  }
  if (needsNodePorts(spec)) {
    const [lo, hi] = ranges.nodePortRange;
    (spec.ports ?? []).forEach((p, i) => {
      const proto = p.protocol ?? 'TCP';
      if (p.nodePort === undefined || p.nodePort === 0) {
        let port: number | undefined;
        for (let k = 0; k < 64 && port === undefined; k++) {
          const candidate = lo + randomInt(hi - lo + 1);
          if (!usedPorts.has(`${proto}/${candidate}`)) {
            port = candidate;
          }
        }
        for (let c = lo; port === undefined && c <= hi; c++) {
          if (!usedPorts.has(`${proto}/${c}`)) {
            port = c;
          }
        }
        if (port === undefined) {
          errors.push({ type: 'InternalError', field: `spec.ports[${i}].nodePort`, message: 'Internal error: failed to allocate a nodePort: range is full' });
          return;
        }
        p.nodePort = port;
        usedPorts.add(`${proto}/${port}`);
      } else if (p.nodePort < lo || p.nodePort > hi) {
        errors.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${lo}-${hi}` });
      } else if (usedPorts.has(`${proto}/${p.nodePort}`)) {
        errors.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is already allocated` });
      } else {
        usedPorts.add(`${proto}/${p.nodePort}`);
      }
    });
  } else if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') {
    // Upstream releases node ports when a Service stops needing them.
    for (const p of spec.ports ?? []) {
      delete p.nodePort;
    }
  }
  if (errors.length > 0) {
    throw invalid('', 'Service', obj.metadata.name ?? '', errors);
  }
}

/** Runs Service writes one at a time so allocation and store write are atomic within this apiserver. */
export class SerialLock {
  private tail: Promise<void> = Promise.resolve();

  /** Runs fn after every earlier fn settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }
}

interface TypedService {
  spec?: ServiceSpec & { externalIPs?: string[]; externalTrafficPolicy?: string; healthCheckNodePort?: number; loadBalancerClass?: string };
  status?: { loadBalancer?: unknown };
}

const externallyAccessible = (s: TypedService['spec']): boolean => s?.type === 'LoadBalancer' || s?.type === 'NodePort' || (s?.type === 'ClusterIP' && (s.externalIPs ?? []).length > 0);
const nodePortSet = (s: TypedService['spec']): Set<number> => new Set((s?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0));
const sameList = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Upstream's dropTypeDependentFields for a Service update: when `type` changes, fields that only
 * made sense for the old type (and that the user did not change in the same request) are
 * cleared, so `kubectl patch svc x -p '{"spec":{"type":"ClusterIP"}}'` on a LoadBalancer works;
 * the load-balancer status goes whenever the new type is not LoadBalancer.
 */
export function dropTypeDependentFields(newObj: KubeObject, oldObj: KubeObject): void {
  const n = newObj as TypedService;
  const o = oldObj as TypedService;
  const ns = n.spec;
  const os = o.spec;
  if (ns === undefined || os === undefined) {
    return;
  }
  if (os.type !== 'ExternalName' && ns.type === 'ExternalName') {
    if (ns.clusterIP === os.clusterIP && sameList(ns.clusterIPs, os.clusterIPs)) {
      delete ns.clusterIP;
      delete ns.clusterIPs;
    }
    if (sameList(ns.ipFamilies, os.ipFamilies)) {
      delete ns.ipFamilies;
    }
    if (ns.ipFamilyPolicy === os.ipFamilyPolicy) {
      delete ns.ipFamilyPolicy;
    }
  }
  const usesNodePorts = (t: string | undefined): boolean => t === 'NodePort' || t === 'LoadBalancer';
  if (usesNodePorts(os.type) && !usesNodePorts(ns.type)) {
    const oldPorts = nodePortSet(os);
    if ([...nodePortSet(ns)].every((p) => oldPorts.has(p))) {
      for (const p of ns.ports ?? []) {
        delete p.nodePort;
      }
    }
  }
  const usesHealthCheckPort = (s: TypedService['spec']): boolean => s?.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (usesHealthCheckPort(os) && !usesHealthCheckPort(ns) && ns.healthCheckNodePort === os.healthCheckNodePort) {
    delete ns.healthCheckNodePort;
  }
  if (os.type === 'LoadBalancer' && ns.type !== 'LoadBalancer') {
    if (ns.allocateLoadBalancerNodePorts !== undefined && ns.allocateLoadBalancerNodePorts === os.allocateLoadBalancerNodePorts) {
      delete ns.allocateLoadBalancerNodePorts;
    }
    if (ns.loadBalancerClass === os.loadBalancerClass) {
      delete ns.loadBalancerClass;
    }
  }
  if (externallyAccessible(os) && !externallyAccessible(ns) && ns.externalTrafficPolicy === os.externalTrafficPolicy) {
    delete ns.externalTrafficPolicy;
  }
  if (ns.type !== 'LoadBalancer' && n.status !== undefined) {
    n.status.loadBalancer = {};
  }
}
