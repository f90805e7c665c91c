/**
 * The pure renderer: Services + EndpointSlices → one nft transaction that replaces the whole
 * `ip k8ts-proxy` table atomically (`add table; delete table; table {...}` in one file, so the
 * kernel swaps old for new in a single commit). Layout follows upstream's nftables mode; see
 * README.md beside this file.
 */
import { createHash } from 'node:crypto';
import { backendsFor, categorize, isProxied, slicesByService } from './endpoints.ts';
import type { Backend } from './endpoints.ts';
import type { EndpointSlice, Service, ServicePort } from './types.ts';

/** The table every k8ts-proxy rule lives in. */
export const TABLE_NAME = 'k8ts-proxy';
/** The packet mark that asks the postrouting chain to masquerade (as upstream's 0x4000). */
export const MASQUERADE_MARK = '0x00004000';
const DEFAULT_AFFINITY_TIMEOUT = 10800;

/** What the renderer needs to know about this node. */
export interface RenderOptions {
  /** Node name: endpoints with this nodeName are local (traffic policy Local). */
  readonly hostname: string;
  /** Pod CIDR of the cluster; traffic to a cluster IP from outside it is masqueraded. Empty: none is. */
  readonly clusterCIDR?: string;
  /** Addresses NodePorts answer on; undefined: every local address, localhost included. */
  readonly nodePortIPs?: readonly string[];
  readonly table?: string;
}

/** What a render produced, for logs and metrics. */
export interface Rendered {
  readonly text: string;
  readonly servicePorts: number;
  readonly endpoints: number;
}

interface Lines {
  chains: Map<string, string[]>;
  sets: string[];
  serviceIps: string[];
  nodePorts: string[];
  noEpServices: string[];
  noEpNodePorts: string[];
  clusterIps: Set<string>;
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

const protoOf = (p: ServicePort): string => (p.protocol ?? 'TCP').toLowerCase();

function ipKey(ip: string): string {
  return ip.split('.').map((n) => n.padStart(3, '0')).join('.');
}

/** Sorts IPv4 addresses numerically (each key computed once). */
function sortIps(ips: Iterable<string>): string[] {
  return [...ips].map((ip) => [ipKey(ip), ip] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

/** Renders the complete table for the given objects; deterministic (same input, same text). */
export function renderRuleset(services: Iterable<Service>, slices: Iterable<EndpointSlice>, opts: RenderOptions): Rendered {
  const table = opts.table ?? TABLE_NAME;
  const bySvc = slicesByService(slices);
  const l: Lines = { chains: new Map(), sets: [], serviceIps: [], nodePorts: [], noEpServices: [], noEpNodePorts: [], clusterIps: new Set() };
  let servicePorts = 0;
  let endpoints = 0;
  const sorted = [...services].filter(isProxied).sort((a, b) => {
    const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
    const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  for (const svc of sorted) {
    const svcSlices = bySvc.get(`${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`) ?? [];
    for (const port of svc.spec?.ports ?? []) {
      servicePorts++;
      endpoints += renderServicePort(l, svc, port, backendsFor(port, svcSlices), opts);
    }
  }
  return { text: assemble(table, l, opts), servicePorts, endpoints };
}

function externalIPs(svc: Service): string[] {
  const ips = new Set<string>(svc.spec?.externalIPs ?? []);
  if (svc.spec?.type === 'LoadBalancer') {
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
      if (ing.ip !== undefined && ing.ip !== '') {
        ips.add(ing.ip);
      }
    }
  }
  return ips.size === 0 ? [] : sortIps([...ips].filter((ip) => !ip.includes(':')));
}

/** Adds the chains and map elements of one service port; returns how many endpoint chains it made. */
function renderServicePort(l: Lines, svc: Service, port: ServicePort, all: readonly Backend[], opts: RenderOptions): number {
  const spec = svc.spec ?? {};
  const clusterIP = spec.clusterIP ?? '';
  const proto = protoOf(port);
  const base = `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}/${proto}/${port.name ?? ''}`;
  const h = hash(base);
  const { cluster, local } = categorize(all, opts.hostname);
  const internalLocal = spec.internalTrafficPolicy === 'Local';
  const externalLocal = spec.externalTrafficPolicy === 'Local';
  const extIPs = externalIPs(svc);
  const nodePort = (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && port.nodePort !== undefined && port.nodePort > 0 ? port.nodePort : undefined;
  const hasExternal = extIPs.length > 0 || nodePort !== undefined;
  const internal = internalLocal ? local : cluster;
  const external = externalLocal ? local : cluster;
  const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT) : undefined;
  l.clusterIps.add(clusterIP);

  // Endpoint chains, shared by the cluster and the local balancing chains.
  // Names are computed once per backend (hashing dominates the render time of big clusters).
  const suffixes = new Map<Backend, string>();
  const suffixOf = (b: Backend): string => {
    let sfx = suffixes.get(b);
    if (sfx === undefined) {
      sfx = `${hash(`${base}/${b.ip}/${b.port}`)}-${base}__${b.ip}/${b.port}`;
      suffixes.set(b, sfx);
    }
    return sfx;
  };
  const epChain = (b: Backend): string => `endpoint-${suffixOf(b)}`;
  const affinitySet = (b: Backend): string => `affinity-${suffixOf(b)}`;
  const used = new Map<string, Backend>();
  for (const b of [...(internal.length > 0 || (hasExternal && external.length > 0) ? cluster : []), ...local]) {
    used.set(epChain(b), b);
  }
  for (const [name, b] of used) {
    const rules = [`ip saddr ${b.ip} jump mark-for-masquerade`];
    if (affinity !== undefined) {
      l.sets.push(`\tset ${affinitySet(b)} {\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout ${affinity}s\n\t}`);
      rules.push(`update @${affinitySet(b)} { ip saddr }`);
    }
    rules.push(`meta l4proto ${proto} dnat to ${b.ip}:${b.port}`);
    l.chains.set(name, rules);
  }

  const balance = (backends: readonly Backend[]): string[] => {
    const rules: string[] = [];
    if (affinity !== undefined) {
      for (const b of backends) {
        rules.push(`ip saddr @${affinitySet(b)} goto ${epChain(b)}`);
      }
    }
    const first = backends[0];
    if (backends.length === 1 && first !== undefined) {
      rules.push(`goto ${epChain(first)}`);
    } else if (backends.length > 1) {
      rules.push(`numgen random mod ${backends.length} vmap { ${backends.map((b, i) => `${i} : goto ${epChain(b)}`).join(', ')} }`);
    }
    return rules;
  };
  const clusterChain = `service-${h}-${base}`;
  const localChain = `local-${h}-${base}`;
  const externalChain = `external-${h}-${base}`;
  if (cluster.length > 0 && (!internalLocal || (hasExternal && !externalLocal) || externalLocal)) {
    const masq = opts.clusterCIDR !== undefined && opts.clusterCIDR !== '' ? [`ip daddr ${clusterIP} ${proto} dport ${port.port} ip saddr != ${opts.clusterCIDR} jump mark-for-masquerade`] : [];
    l.chains.set(clusterChain, [...masq, ...balance(cluster)]);
  }
  if (local.length > 0 && (internalLocal || (hasExternal && externalLocal))) {
    l.chains.set(localChain, balance(local));
  }

  // Cluster IP: the balancing chain, or reject (no endpoints at all) / drop (none usable for this policy).
  const noEndpoints = cluster.length === 0 && local.length === 0;
  const dead = noEndpoints ? 'goto reject-chain' : 'drop';
  const vip = `${clusterIP} . ${proto} . ${port.port}`;
  if (internal.length > 0) {
    l.serviceIps.push(`${vip} : goto ${internalLocal ? localChain : clusterChain}`);
  } else {
    l.noEpServices.push(`${vip} : ${dead}`);
  }
  if (!hasExternal) {
    return used.size;
  }
  if (external.length > 0) {
    const rules = externalLocal
      ? [
          // Node-originated traffic (localhost NodePorts included) keeps cluster-wide balancing, masqueraded;
          // pod traffic is not "external" either; the rest only reaches this node's endpoints.
          'fib saddr type local jump mark-for-masquerade',
          ...(cluster.length > 0 ? ['fib saddr type local goto ' + clusterChain] : []),
          ...(opts.clusterCIDR !== undefined && opts.clusterCIDR !== '' && cluster.length > 0 ? [`ip saddr ${opts.clusterCIDR} goto ${clusterChain}`] : []),
          `goto ${localChain}`,
        ]
      : ['jump mark-for-masquerade', `goto ${clusterChain}`];
    l.chains.set(externalChain, rules);
    for (const ip of extIPs) {
      l.serviceIps.push(`${ip} . ${proto} . ${port.port} : goto ${externalChain}`);
    }
    if (nodePort !== undefined) {
      l.nodePorts.push(`${proto} . ${nodePort} : goto ${externalChain}`);
    }
  } else {
    for (const ip of extIPs) {
      l.noEpServices.push(`${ip} . ${proto} . ${port.port} : ${dead}`);
    }
    if (nodePort !== undefined) {
      l.noEpNodePorts.push(`${proto} . ${nodePort} : ${dead}`);
    }
  }
  return used.size;
}

function block(kind: string, name: string, type: string, elements: readonly string[], extra = ''): string {
  const elems = elements.length > 0 ? `\t\telements = {\n\t\t\t${elements.join(',\n\t\t\t')}\n\t\t}\n` : '';
  return `\t${kind} ${name} {\n\t\ttype ${type}\n${extra}${elems}\t}`;
}

function chain(name: string, rules: readonly string[], hook?: string): string {
  // nft 1.0.6 wants every statement on its own line (a statement right before `}` is a syntax error).
  const head = hook !== undefined ? [`\t\t${hook}`] : [];
  return [`\tchain ${name} {`, ...head, ...rules.map((r) => `\t\t${r}`), '\t}'].join('\n');
}

function assemble(table: string, l: Lines, opts: RenderOptions): string {
  const nodePortMatch = opts.nodePortIPs === undefined ? 'fib daddr type local' : 'ip daddr @nodeport-ips';
  const clusterIps = sortIps(l.clusterIps);
  const nodeIps = sortIps(opts.nodePortIPs ?? []);
  const parts: string[] = [
    block('set', 'cluster-ips', 'ipv4_addr', clusterIps),
    ...(opts.nodePortIPs !== undefined ? [block('set', 'nodeport-ips', 'ipv4_addr', nodeIps)] : []),
    block('map', 'service-ips', 'ipv4_addr . inet_proto . inet_service : verdict', l.serviceIps),
    block('map', 'service-nodeports', 'inet_proto . inet_service : verdict', l.nodePorts),
    block('map', 'no-endpoint-services', 'ipv4_addr . inet_proto . inet_service : verdict', l.noEpServices),
    block('map', 'no-endpoint-nodeports', 'inet_proto . inet_service : verdict', l.noEpNodePorts),
    ...l.sets,
    chain('filter-input', ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check'], 'type filter hook input priority -110; policy accept;'),
    chain('filter-forward', ['ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check'], 'type filter hook forward priority -110; policy accept;'),
    chain('filter-output', ['ct state new jump service-endpoints-check'], 'type filter hook output priority -110; policy accept;'),
    chain('filter-output-post-dnat', ['ct state new jump cluster-ips-check'], 'type filter hook output priority -90; policy accept;'),
    chain('nat-prerouting', ['jump services'], 'type nat hook prerouting priority dstnat; policy accept;'),
    chain('nat-output', ['jump services'], 'type nat hook output priority -100; policy accept;'),
    chain('nat-postrouting', ['jump masquerading'], 'type nat hook postrouting priority srcnat; policy accept;'),
    chain('nodeport-endpoints-check', [`${nodePortMatch} meta l4proto . th dport vmap @no-endpoint-nodeports`]),
    chain('service-endpoints-check', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services', `${nodePortMatch} meta l4proto . th dport vmap @no-endpoint-nodeports`]),
    chain('cluster-ips-check', ['ip daddr @cluster-ips reject']),
    chain('reject-chain', ['reject']),
    chain('mark-for-masquerade', [`meta mark set meta mark or ${MASQUERADE_MARK}`]),
    chain('masquerading', [`meta mark & ${MASQUERADE_MARK} == 0 return`, `meta mark set meta mark xor ${MASQUERADE_MARK}`, 'masquerade fully-random']),
    chain('services', ['ip daddr . meta l4proto . th dport vmap @service-ips', `${nodePortMatch} meta l4proto . th dport vmap @service-nodeports`]),
    ...[...l.chains.keys()].sort().map((name) => chain(name, l.chains.get(name) ?? [])),
  ];
  return `add table ip ${table}\ndelete table ip ${table}\ntable ip ${table} {\n${parts.join('\n')}\n}\n`;
}

/** The transaction `--cleanup` runs: removes the table if present, and nothing else. */
export function cleanupRuleset(table: string = TABLE_NAME): string {
  return `add table ip ${table}\ndelete table ip ${table}\n`;
}
