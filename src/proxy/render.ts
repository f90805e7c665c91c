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

/** What one Service contributes: its chains, affinity sets and map/set elements (key → value). */
export interface Fragment {
  readonly chains: Map<string, string[]>;
  /** Affinity set name → its body (type, flags, timeout). */
  readonly sets: Map<string, string>;
  readonly serviceIps: Map<string, string>;
  readonly nodePorts: Map<string, string>;
  readonly noEpServices: Map<string, string>;
  readonly noEpNodePorts: Map<string, string>;
  readonly clusterIps: Set<string>;
  servicePorts: number;
  endpoints: number;
}

/**
 * The whole desired table as per-Service fragments plus the fixed part: what a full sync writes
 * and a partial sync diffs. A fragment object stays the same while its Service is unchanged, so
 * a partial sync compares only the fragments whose identity changed.
 */
export interface DesiredState {
  readonly table: string;
  /** Everything that is not per-Service (base chains, helper chains, declarations); a change forces a full sync. */
  readonly fixed: string;
  readonly nodePortIps: readonly string[] | undefined;
  /** `namespace/name` → that Service's fragment. */
  readonly fragments: ReadonlyMap<string, Fragment>;
  readonly servicePorts: number;
  readonly endpoints: number;
}

/** The map names, in declaration order, with their key types. */
export const MAP_TYPES: readonly (readonly [string, string])[] = [
  ['service-ips', 'ipv4_addr . inet_proto . inet_service : verdict'],
  ['service-nodeports', 'inet_proto . inet_service : verdict'],
  ['no-endpoint-services', 'ipv4_addr . inet_proto . inet_service : verdict'],
  ['no-endpoint-nodeports', 'inet_proto . inet_service : verdict'],
];

const newFragment = (): Fragment => ({ chains: new Map(), sets: new Map(), serviceIps: new Map(), nodePorts: new Map(), noEpServices: new Map(), noEpNodePorts: new Map(), clusterIps: new Set(), servicePorts: 0, endpoints: 0 });

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

const protoOf = (p: ServicePort): string => (p.protocol ?? 'TCP').toLowerCase();

function ipKey(ip: string): string {
  return ip.split('.').map((n) => n.padStart(3, '0')).join('.');
}

/** Sorts IPv4 addresses numerically (each key computed once). */
export function sortIps(ips: Iterable<string>): string[] {
  return [...ips].map((ip) => [ipKey(ip), ip] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

/** Remembers each Service's fragment, so an unchanged Service (same cached objects) is not rendered again. */
export class FragmentCache {
  private entries = new WeakMap<Service, { readonly slices: readonly EndpointSlice[]; readonly optsKey: string; readonly fragment: Fragment }>();
  hits = 0;

  /** The Service's fragment: reused when the Service and its slices are the very same objects as last time. */
  get(svc: Service, slices: readonly EndpointSlice[], opts: RenderOptions): Fragment {
    const optsKey = `${opts.hostname}|${opts.clusterCIDR ?? ''}`;
    const hit = this.entries.get(svc);
    if (hit !== undefined && hit.optsKey === optsKey && hit.slices.length === slices.length && hit.slices.every((s, i) => s === slices[i])) {
      this.hits++;
      return hit.fragment;
    }
    const fragment = newFragment();
    for (const port of svc.spec?.ports ?? []) {
      fragment.servicePorts++;
      fragment.endpoints += renderServicePort(fragment, svc, port, backendsFor(port, slices), opts);
    }
    this.entries.set(svc, { slices: [...slices], optsKey, fragment });
    return fragment;
  }
}

const svcKey = (s: Service): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;

/** A fragment's map elements, by map name (MAP_TYPES order). */
export function fragmentMaps(f: Fragment): readonly (readonly [string, ReadonlyMap<string, string>])[] {
  return [
    ['service-ips', f.serviceIps],
    ['service-nodeports', f.nodePorts],
    ['no-endpoint-services', f.noEpServices],
    ['no-endpoint-nodeports', f.noEpNodePorts],
  ];
}

/** The desired state: one fragment per proxied Service (from `cache` where its objects are unchanged). */
export function renderState(services: Iterable<Service>, slices: Iterable<EndpointSlice>, opts: RenderOptions, cache: FragmentCache = new FragmentCache()): DesiredState {
  const bySvc = slicesByService(slices);
  const fragments = new Map<string, Fragment>();
  let servicePorts = 0;
  let endpoints = 0;
  for (const svc of services) {
    if (!isProxied(svc)) {
      continue;
    }
    const key = svcKey(svc);
    const f = cache.get(svc, bySvc.get(key) ?? [], opts);
    fragments.set(key, f);
    servicePorts += f.servicePorts;
    endpoints += f.endpoints;
  }
  const nodePortIps = opts.nodePortIPs === undefined ? undefined : sortIps(opts.nodePortIPs);
  return { table: opts.table ?? TABLE_NAME, fixed: fixedParts(opts.nodePortIPs !== undefined).join('\n'), nodePortIps, fragments, servicePorts, endpoints };
}

/** Renders the complete table for the given objects; deterministic (same input, same text). */
export function renderRuleset(services: Iterable<Service>, slices: Iterable<EndpointSlice>, opts: RenderOptions): Rendered {
  const state = renderState(services, slices, opts);
  return { text: fullText(state), servicePorts: state.servicePorts, endpoints: state.endpoints };
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
function renderServicePort(l: Fragment, svc: Service, port: ServicePort, all: readonly Backend[], opts: RenderOptions): number {
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
      l.sets.set(affinitySet(b), `type ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout ${affinity}s`);
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
    // Uniform choice without an anonymous map: rule i takes 1/(N-i) of what reaches it (as
    // iptables' statistic chain does), the last one takes the rest. Upstream writes
    // `numgen random mod N vmap { ... }`, but every anonymous map makes the kernel walk the whole
    // transaction when binding it (__nft_set_trans_bind), so a full sync of 5,000 Services spent
    // 12–37 s of kernel time there; with plain rules the same table loads in well under a second.
    backends.forEach((b, i) => {
      const left = backends.length - i;
      rules.push(left > 1 ? `numgen random mod ${left} == 0 goto ${epChain(b)}` : `goto ${epChain(b)}`);
    });
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
    l.serviceIps.set(vip, `goto ${internalLocal ? localChain : clusterChain}`);
  } else {
    l.noEpServices.set(vip, dead);
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
      l.serviceIps.set(`${ip} . ${proto} . ${port.port}`, `goto ${externalChain}`);
    }
    if (nodePort !== undefined) {
      l.nodePorts.set(`${proto} . ${nodePort}`, `goto ${externalChain}`);
    }
  } else {
    for (const ip of extIPs) {
      l.noEpServices.set(`${ip} . ${proto} . ${port.port}`, dead);
    }
    if (nodePort !== undefined) {
      l.noEpNodePorts.set(`${proto} . ${nodePort}`, dead);
    }
  }
  return used.size;
}

function block(kind: string, name: string, type: string, elements: readonly string[], extra = ''): string {
  const elems = elements.length > 0 ? `\t\telements = {\n\t\t\t${elements.join(',\n\t\t\t')}\n\t\t}\n` : '';
  return `\t${kind} ${name} {\n\t\ttype ${type}\n${extra}${elems}\t}`;
}

/** A chain declaration (one statement per line: nft 1.0.6 wants no statement right before `}`). */
export function chain(name: string, rules: readonly string[], hook?: string): string {
  // nft 1.0.6 wants every statement on its own line (a statement right before `}` is a syntax error).
  const head = hook !== undefined ? [`\t\t${hook}`] : [];
  return [`\tchain ${name} {`, ...head, ...rules.map((r) => `\t\t${r}`), '\t}'].join('\n');
}

/** The per-table parts that do not depend on Services (a change here means a full sync). */
function fixedParts(nodePortSet: boolean): string[] {
  const nodePortMatch = nodePortSet ? 'ip daddr @nodeport-ips' : 'fib daddr type local';
  return [
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
  ];
}

/** An affinity set declaration. */
export function setDecl(name: string, body: string): string {
  return `\tset ${name} {\n\t\t${body}\n\t}`;
}

/** The transaction that replaces the whole table with `state` (add; delete; create, in one commit). */
export function fullText(state: DesiredState): string {
  // Services in name order, so the text does not depend on the order the caches list them in.
  const keys = [...state.fragments.keys()].sort();
  const chains = new Map<string, readonly string[]>();
  const sets: string[] = [];
  const maps = new Map<string, string[]>(MAP_TYPES.map(([name]) => [name, []]));
  const clusterIps = new Set<string>();
  for (const key of keys) {
    const f = state.fragments.get(key);
    if (f === undefined) {
      continue;
    }
    for (const [name, rules] of f.chains) {
      chains.set(name, rules);
    }
    for (const [name, body] of f.sets) {
      sets.push(setDecl(name, body));
    }
    for (const [name, elements] of fragmentMaps(f)) {
      const into = maps.get(name);
      for (const [k, v] of elements) {
        into?.push(`${k} : ${v}`);
      }
    }
    for (const ip of f.clusterIps) {
      clusterIps.add(ip);
    }
  }
  const parts: string[] = [
    block('set', 'cluster-ips', 'ipv4_addr', sortIps(clusterIps)),
    ...(state.nodePortIps !== undefined ? [block('set', 'nodeport-ips', 'ipv4_addr', state.nodePortIps)] : []),
    ...MAP_TYPES.map(([name, type]) => block('map', name, type, maps.get(name) ?? [])),
    ...sets,
    state.fixed,
    ...[...chains.keys()].sort().map((name) => chain(name, chains.get(name) ?? [])),
  ];
  const t = state.table;
  return `add table ip ${t}\ndelete table ip ${t}\ntable ip ${t} {\n${parts.join('\n')}\n}\n`;
}

/** The transaction `--cleanup` runs: removes the table if present, and nothing else. */
export function cleanupRuleset(table: string = TABLE_NAME): string {
  return `add table ip ${table}\ndelete table ip ${table}\n`;
}
