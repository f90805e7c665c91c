/**
 * What one Service contributes to the `ip k8ts-proxy` table (its "fragment"), the element
 * containers fragments fill, and the shared "pick" chains that choose an endpoint from a map.
 * See README.md beside this file for the table layout.
 */
import { createHash } from 'node:crypto';

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

/**
 * What one Service contributes: map/set elements (most Services need nothing else), and for the
 * rare features that need per-Service state (session affinity, Local traffic policies) its own
 * chains and affinity sets.
 */
export interface Fragment {
  readonly chains: Map<string, string[]>;
  /** Affinity set name → its body (type, flags, timeout). */
  readonly sets: Map<string, string>;
  /** Shared pick chains beyond the preset ones this Service's elements point at: name → rules (the same array for every Service). */
  readonly picks: Map<string, readonly string[]>;
  readonly serviceIps: Map<string, string>;
  readonly nodePorts: Map<string, string>;
  readonly noEpServices: Map<string, string>;
  readonly noEpNodePorts: Map<string, string>;
  /** `ip . proto . port . i` → `endpoint ip . port` (cluster IPs, external IPs, LB ingress IPs). */
  readonly serviceEndpoints: Map<string, string>;
  /** `proto . nodePort . i` → `endpoint ip . port`. */
  readonly nodePortEndpoints: Map<string, string>;
  readonly clusterIps: Set<string>;
  /** `endpoint . endpoint . cluster IP`: a pod that reached itself through its Service (masqueraded). */
  readonly hairpin: Set<string>;
  servicePorts: number;
  endpoints: number;
}

/** An empty fragment. */
export const newFragment = (): Fragment => ({
  chains: new Map(),
  sets: new Map(),
  picks: new Map(),
  serviceIps: new Map(),
  nodePorts: new Map(),
  noEpServices: new Map(),
  noEpNodePorts: new Map(),
  serviceEndpoints: new Map(),
  nodePortEndpoints: new Map(),
  clusterIps: new Set(),
  hairpin: new Set(),
  servicePorts: 0,
  endpoints: 0,
});

/**
 * The maps, in declaration order, with their declarations. The endpoint maps' keys end in a
 * 32-bit integer (the `numgen` result), which only `typeof` can declare. nft 1.0.6 cannot read
 * such a `typeof … th dport` declaration back from the kernel for a *rule* ("conflicting
 * protocols specified: ip vs. th"), though element commands work; so the pick chains that use
 * these maps are only ever created inside a full replace (see PRESET_PICKS). (`tcp dport` would
 * read back, but then nft silently adds `meta l4proto tcp` to the first rule using the map.)
 */
export const MAP_DECLS: readonly (readonly [string, string])[] = [
  ['service-ips', 'type ipv4_addr . inet_proto . inet_service : verdict'],
  ['service-nodeports', 'type inet_proto . inet_service : verdict'],
  ['no-endpoint-services', 'type ipv4_addr . inet_proto . inet_service : verdict'],
  ['no-endpoint-nodeports', 'type inet_proto . inet_service : verdict'],
  ['service-endpoints', 'typeof ip daddr . meta l4proto . th dport . numgen random mod 2 : ip daddr . th dport'],
  ['nodeport-endpoints', 'typeof meta l4proto . th dport . numgen random mod 2 : ip daddr . th dport'],
];

/** The element-only sets fragments fill, with their declarations. */
export const SET_DECLS: readonly (readonly [string, string])[] = [
  ['cluster-ips', 'type ipv4_addr'],
  ['hairpin-connections', 'type ipv4_addr . ipv4_addr . ipv4_addr'],
];

/** A fragment's map elements, by map name (MAP_DECLS order). */
export function fragmentMaps(f: Fragment): readonly (readonly [string, ReadonlyMap<string, string>])[] {
  return [
    ['service-ips', f.serviceIps],
    ['service-nodeports', f.nodePorts],
    ['no-endpoint-services', f.noEpServices],
    ['no-endpoint-nodeports', f.noEpNodePorts],
    ['service-endpoints', f.serviceEndpoints],
    ['nodeport-endpoints', f.nodePortEndpoints],
  ];
}

/** A fragment's set elements, by set name (SET_DECLS order). */
export function fragmentSets(f: Fragment): readonly (readonly [string, ReadonlySet<string>])[] {
  return [
    ['cluster-ips', f.clusterIps],
    ['hairpin-connections', f.hairpin],
  ];
}

/** The three families of shared pick chains: how traffic reached the Service decides the family. */
export const PickFamily = {
  /** Cluster IP: off-cluster sources are masqueraded (with --cluster-cidr), then DNAT by `ip daddr . proto . port`. */
  clusterIP: 'pick',
  /** External IP / LoadBalancer ingress (policy Cluster): always masqueraded, DNAT by `ip daddr . proto . port`. */
  external: 'external-pick',
  /** NodePort (policy Cluster): always masqueraded, DNAT by `proto . port` (the node address varies). */
  nodePort: 'nodeport-pick',
} as const;
/** One pick chain family. */
export type PickFamily = (typeof PickFamily)[keyof typeof PickFamily];

/**
 * Pick chains every full sync creates, for k = 1 … PRESET_PICKS in each family, whether used or
 * not: a partial sync cannot create one (see MAP_DECLS), so a Service scaling within this range
 * stays a partial sync; a larger endpoint count first seen needs a full one.
 */
export const PRESET_PICKS = 32;

const pickCache = new Map<string, readonly [string, readonly string[]]>();

/**
 * The shared chain that sends a packet to one of `k` endpoints, uniformly at random: one DNAT
 * through the family's endpoint map, keyed by the packet plus `numgen random mod k`. Every
 * Service with `k` endpoints goes to the same chain, so the table holds a few such chains
 * instead of one per Service and endpoint. Returns the same name and rules array for equal inputs.
 */
export function pickChain(family: PickFamily, k: number, clusterCIDR: string | undefined): readonly [string, readonly string[]] {
  const cidr = family === PickFamily.clusterIP ? (clusterCIDR ?? '') : '';
  const cacheKey = `${family}|${k}|${cidr}`;
  let hit = pickCache.get(cacheKey);
  if (hit === undefined) {
    const pick = `numgen random mod ${k}`;
    const dnat = family === PickFamily.nodePort ? `dnat ip to meta l4proto . th dport . ${pick} map @nodeport-endpoints` : `dnat ip to ip daddr . meta l4proto . th dport . ${pick} map @service-endpoints`;
    // A cluster IP reaches this chain only through its own `ip . proto . port` element, so
    // "daddr is a cluster IP" here means "this Service's cluster IP" (upstream's per-Service rule).
    const masq = family === PickFamily.clusterIP ? (cidr !== '' ? [`ip daddr @cluster-ips ip saddr != ${cidr} jump mark-for-masquerade`] : []) : ['jump mark-for-masquerade'];
    hit = [`${family}-${k}`, [...masq, dnat]] as const;
    pickCache.set(cacheKey, hit);
  }
  return hit;
}

/** The 8-hex-digit hash that prefixes per-Service chain names (as upstream's). */
export function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

function ipKey(ip: string): string {
  return ip.split('.').map((n) => n.padStart(3, '0')).join('.');
}

/** Sorts IPv4 addresses numerically (each key computed once). */
export function sortIps(ips: Iterable<string>): string[] {
  return [...ips].map((ip) => [ipKey(ip), ip] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}
