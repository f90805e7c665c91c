/**
 * Cluster DNS answers computed from Services and EndpointSlices, per the Kubernetes DNS
 * specification (github.com/kubernetes/dns docs/specification.md): A/AAAA for services,
 * one record per ready endpoint for headless services (plus `hostname.service` names), SRV
 * for named ports, CNAME for ExternalName, PTR for service and endpoint IPs, and pod
 * A records (`a-b-c-d.ns.pod.<domain>`, the "pods insecure" mode of CoreDNS).
 * Pure: the server feeds it snapshots and asks questions; no I/O here.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Endpoint, EndpointSlice, Service } from './types.ts';

/** One resource record of an answer. */
export type DnsRecord =
  | { readonly type: 'A' | 'AAAA'; readonly name: string; readonly ttl: number; readonly data: string }
  | { readonly type: 'CNAME' | 'PTR'; readonly name: string; readonly ttl: number; readonly data: string }
  | { readonly type: 'SRV'; readonly name: string; readonly ttl: number; readonly data: { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string } };

export type QuestionType = 'A' | 'AAAA' | 'SRV' | 'PTR' | 'CNAME' | 'ANY' | string;

/** What the cluster domain says about a name: records, "name exists but not this type", or NXDOMAIN. */
export type Lookup = { readonly kind: 'answer'; readonly records: DnsRecord[] } | { readonly kind: 'nodata' } | { readonly kind: 'nxdomain' } | { readonly kind: 'not-ours' };

/** TTL of cluster records (CoreDNS's kubernetes plugin default). */
export const CLUSTER_TTL = 5;

interface ServiceEntry {
  readonly service: Service;
  /** Endpoints from every slice of the service, with their slice's ports. */
  readonly slices: Map<string, EndpointSlice>;
}

const lower = (s: string): string => s.toLowerCase();

/** `10.1.2.3` → `10-1-2-3`; IPv6 colons become dashes too (as upstream). */
export function dashedIp(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** The in-addr.arpa / ip6.arpa name of an IP. */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) {
    return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  }
  const full = expandIPv6(ip);
  return `${full.replace(/:/g, '').split('').reverse().join('.')}.ip6.arpa`;
}

function expandIPv6(ip: string): string {
  const [head, tail] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...middle, ...t].map((g) => g.padStart(4, '0')).join(':');
}

function recordFor(name: string, ip: string): DnsRecord {
  return { type: isIPv6(ip) ? 'AAAA' : 'A', name, ttl: CLUSTER_TTL, data: ip };
}

function isHeadless(s: Service): boolean {
  return s.spec?.clusterIP === 'None';
}

function clusterIPs(s: Service): string[] {
  const ips = s.spec?.clusterIPs ?? (s.spec?.clusterIP !== undefined ? [s.spec.clusterIP] : []);
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

/** Endpoints that DNS publishes: ready ones, or all when the service publishes not-ready addresses. */
function publishedEndpoints(entry: ServiceEntry): { endpoint: Endpoint; slice: EndpointSlice }[] {
  const all = entry.service.spec?.publishNotReadyAddresses === true;
  const out: { endpoint: Endpoint; slice: EndpointSlice }[] = [];
  for (const slice of entry.slices.values()) {
    for (const endpoint of slice.endpoints ?? []) {
      if (all || endpoint.conditions?.ready !== false) {
        out.push({ endpoint, slice });
      }
    }
  }
  return out;
}

/** The record index for one cluster domain; update it from informer events. */
export class ClusterDnsIndex {
  readonly domain: string;
  private readonly services = new Map<string, ServiceEntry>();
  /** Slices that arrived before their service, by `ns/service`. */
  private readonly orphanSlices = new Map<string, Map<string, EndpointSlice>>();
  /** reverse name → PTR target, rebuilt on the first PTR question after any change. */
  private reverseIndex: Map<string, string> | undefined;
  private changes = 0;

  constructor(domain = 'cluster.local') {
    this.domain = lower(domain.replace(/\.$/, ''));
  }

  /** Bumped on every change: answers computed at one generation stay valid until it moves. */
  get generation(): number {
    return this.changes;
  }

  private changed(): void {
    this.reverseIndex = undefined;
    this.changes++;
  }

  upsertService(s: Service): void {
    this.changed();
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const slices = this.services.get(key)?.slices ?? this.orphanSlices.get(key) ?? new Map<string, EndpointSlice>();
    this.orphanSlices.delete(key);
    this.services.set(key, { service: s, slices });
  }

  deleteService(namespace: string, name: string): void {
    this.changed();
    const key = `${namespace}/${name}`;
    const entry = this.services.get(key);
    this.services.delete(key);
    if (entry !== undefined && entry.slices.size > 0) {
      this.orphanSlices.set(key, entry.slices);
    }
  }

  upsertSlice(slice: EndpointSlice): void {
    this.changed();
    const svc = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (svc === undefined) {
      return;
    }
    const key = `${slice.metadata.namespace}/${svc}`;
    const slices = this.services.get(key)?.slices ?? this.orphanSlices.get(key) ?? new Map<string, EndpointSlice>();
    slices.set(slice.metadata.name ?? '', slice);
    if (!this.services.has(key)) {
      this.orphanSlices.set(key, slices);
    }
  }

  deleteSlice(slice: EndpointSlice): void {
    this.changed();
    const svc = slice.metadata.labels?.['kubernetes.io/service-name'];
    const key = `${slice.metadata.namespace}/${svc}`;
    (this.services.get(key)?.slices ?? this.orphanSlices.get(key))?.delete(slice.metadata.name ?? '');
  }

  /** Answers a question about `qname` (any case, with or without the trailing dot). */
  lookup(qname: string, qtype: QuestionType): Lookup {
    const name = lower(qname.replace(/\.$/, ''));
    if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) {
      return this.reverse(name, qtype);
    }
    if (name !== this.domain && !name.endsWith(`.${this.domain}`)) {
      return { kind: 'not-ours' };
    }
    const labels = name === this.domain ? [] : name.slice(0, -(this.domain.length + 1)).split('.');
    const records = this.forward(name, labels);
    if (records === undefined) {
      return { kind: 'nxdomain' };
    }
    const wanted = records.filter((r) => qtype === 'ANY' || r.type === qtype || (r.type === 'CNAME' && qtype !== 'PTR'));
    return wanted.length > 0 ? { kind: 'answer', records: wanted } : { kind: 'nodata' };
  }

  /** Every record under `name`, or undefined when the name does not exist. */
  private forward(name: string, labels: string[]): DnsRecord[] | undefined {
    const n = labels.length;
    // <ip-dashed>.<ns>.pod.<domain>
    if (n === 3 && labels[2] === 'pod') {
      const ip = labels[0].includes('-') && /^[0-9-]+$/.test(labels[0]) ? labels[0].replace(/-/g, '.') : labels[0].replace(/-/g, ':');
      return isIPv4(ip) || isIPv6(ip) ? [recordFor(name, ip)] : undefined;
    }
    // Empty non-terminals (svc.<domain>, <ns>.svc.<domain>) exist but hold no records.
    if ((n === 1 && (labels[0] === 'svc' || labels[0] === 'pod')) || n === 0) {
      return [];
    }
    if (n === 2 && (labels[1] === 'svc' || labels[1] === 'pod')) {
      return [];
    }
    // <svc>.<ns>.svc.<domain>
    if (n === 3 && labels[2] === 'svc') {
      const entry = this.services.get(`${labels[1]}/${labels[0]}`);
      return entry === undefined ? undefined : this.serviceRecords(name, entry);
    }
    if (n === 4 && labels[3] === 'svc') {
      const entry = this.services.get(`${labels[2]}/${labels[1]}`);
      if (entry === undefined) {
        return undefined;
      }
      // _<port>._<proto>.<svc>.<ns>.svc.<domain> is handled by the 5-label form; 4 labels: <hostname>.<svc>.<ns>.svc
      const records = publishedEndpoints(entry)
        .filter(({ endpoint }) => isHeadless(entry.service) && (endpoint.hostname === labels[0] || endpoint.addresses.some((a) => dashedIp(a) === labels[0])))
        .flatMap(({ endpoint }) => endpoint.addresses.map((a) => recordFor(name, a)));
      return records.length > 0 ? records : undefined;
    }
    // _<port>._<proto>.<svc>.<ns>.svc.<domain>
    if (n === 5 && labels[4] === 'svc' && labels[0].startsWith('_') && labels[1].startsWith('_')) {
      const entry = this.services.get(`${labels[3]}/${labels[2]}`);
      return entry === undefined ? undefined : this.srvRecords(name, entry, labels[0].slice(1), labels[1].slice(1));
    }
    return undefined;
  }

  private serviceFqdn(s: Service): string {
    return `${s.metadata.name}.${s.metadata.namespace}.svc.${this.domain}`;
  }

  private serviceRecords(name: string, entry: ServiceEntry): DnsRecord[] {
    const s = entry.service;
    if (s.spec?.type === 'ExternalName' && s.spec.externalName !== undefined) {
      return [{ type: 'CNAME', name, ttl: CLUSTER_TTL, data: s.spec.externalName.replace(/\.$/, '') }];
    }
    const srv = (s.spec?.ports ?? []).filter((p) => p.name !== undefined && p.name !== '').flatMap((p) => this.srvRecords(`_${p.name}._${lower(p.protocol ?? 'TCP')}.${name}`, entry, p.name ?? '', lower(p.protocol ?? 'TCP')));
    if (isHeadless(s)) {
      return [...publishedEndpoints(entry).flatMap(({ endpoint }) => endpoint.addresses.map((a) => recordFor(name, a))), ...srv];
    }
    return [...clusterIPs(s).map((ip) => recordFor(name, ip)), ...srv];
  }

  private srvRecords(name: string, entry: ServiceEntry, portName: string, proto: string): DnsRecord[] {
    const s = entry.service;
    const port = (s.spec?.ports ?? []).find((p) => lower(p.name ?? '') === lower(portName) && lower(p.protocol ?? 'TCP') === lower(proto));
    if (port === undefined) {
      return [];
    }
    const fqdn = this.serviceFqdn(s);
    if (!isHeadless(s)) {
      return [{ type: 'SRV', name, ttl: CLUSTER_TTL, data: { priority: 0, weight: 100, port: port.port, target: fqdn } }];
    }
    return publishedEndpoints(entry).flatMap(({ endpoint, slice }) => {
      const target = (slice.ports ?? []).find((p) => lower(p.name ?? '') === lower(portName));
      return endpoint.addresses.map((a) => ({
        type: 'SRV' as const,
        name,
        ttl: CLUSTER_TTL,
        data: { priority: 0, weight: 100, port: target?.port ?? port.port, target: `${endpoint.hostname ?? dashedIp(a)}.${fqdn}` },
      }));
    });
  }

  private reverse(name: string, qtype: QuestionType): Lookup {
    if (qtype !== 'PTR' && qtype !== 'ANY') {
      return { kind: 'not-ours' };
    }
    this.reverseIndex ??= this.buildReverseIndex();
    const target = this.reverseIndex.get(name);
    return target === undefined ? { kind: 'not-ours' } : { kind: 'answer', records: [{ type: 'PTR', name, ttl: CLUSTER_TTL, data: target }] };
  }

  private buildReverseIndex(): Map<string, string> {
    const index = new Map<string, string>();
    for (const entry of this.services.values()) {
      const fqdn = this.serviceFqdn(entry.service);
      for (const ip of clusterIPs(entry.service)) {
        index.set(reverseName(ip), fqdn);
      }
      if (isHeadless(entry.service)) {
        for (const { endpoint } of publishedEndpoints(entry)) {
          for (const a of endpoint.addresses) {
            index.set(reverseName(a), `${endpoint.hostname ?? dashedIp(a)}.${fqdn}`);
          }
        }
      }
    }
    return index;
  }
}
