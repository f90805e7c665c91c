/**
 * The pure renderer: Services + EndpointSlices → one nft transaction that replaces the whole
 * `ip k8ts-proxy` table atomically (`add table; delete table; table {...}` in one file, so the
 * kernel swaps old for new in a single commit). Layout after upstream's nftables mode, with the
 * common case kept in map elements instead of per-Service chains; see README.md beside this file.
 */
import { backendsFor, isProxied, serviceKeyOf, slicesByService } from './endpoints.ts';
import { fragmentMaps, fragmentSets, MAP_DECLS, newFragment, PickFamily, pickChain, PRESET_PICKS, SET_DECLS, sortIps } from './fragment.ts';
import type { Fragment, RenderOptions } from './fragment.ts';
import { renderServicePort } from './service-port.ts';
import { resolveExternalConflicts } from './external-claims.ts';
import type { ExternalConflict } from './external-claims.ts';
import type { EndpointSlice, Service } from './types.ts';

/** The table every k8ts-proxy rule lives in. */
export const TABLE_NAME = 'k8ts-proxy';
/** The packet mark that asks the postrouting chain to masquerade (as upstream's 0x4000). */
export const MASQUERADE_MARK = '0x00004000';

/** What a render produced, for logs and metrics. */
export interface Rendered {
  readonly text: string;
  readonly servicePorts: number;
  readonly endpoints: number;
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
  /** The shared pick chains: the preset ones and any larger one some fragment points at; name → rules. */
  readonly picks: ReadonlyMap<string, readonly string[]>;
  readonly servicePorts: number;
  readonly endpoints: number;
  /** Services that lost an external address to an older Service claiming the same address and port. */
  readonly conflicts: readonly ExternalConflict[];
}

/** What, besides the Service and its slices, a fragment depends on. */
const cacheKeyOf = (opts: RenderOptions): string => `${opts.hostname}|${opts.clusterCIDR ?? ''}`;

/** Remembers each Service's fragment, so an unchanged Service (same cached objects) is not rendered again. */
export class FragmentCache {
  private entries = new WeakMap<Service, { readonly slices: readonly EndpointSlice[]; readonly optsKey: string; readonly fragment: Fragment }>();
  hits = 0;

  /** The Service's fragment: reused when the Service and its slices are the very same objects as last time. */
  get(svc: Service, slices: readonly EndpointSlice[], opts: RenderOptions, optsKey = cacheKeyOf(opts)): Fragment {
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

const svcKey = (s: Service): string => serviceKeyOf(s, s.metadata.name ?? '');

/** The desired state: one fragment per proxied Service (from `cache` where its objects are unchanged). */
export function renderState(services: Iterable<Service>, slices: Iterable<EndpointSlice>, opts: RenderOptions, cache: FragmentCache = new FragmentCache()): DesiredState {
  const bySvc = slicesByService(slices);
  const fragments = new Map<string, Fragment>();
  const picks = new Map<string, readonly string[]>();
  for (const family of Object.values(PickFamily)) {
    for (let k = 1; k <= PRESET_PICKS; k++) {
      const [name, rules] = pickChain(family, k, opts.clusterCIDR);
      picks.set(name, rules);
    }
  }
  let servicePorts = 0;
  let endpoints = 0;
  const optsKey = cacheKeyOf(opts);
  const all = Array.isArray(services) ? (services as readonly Service[]) : [...services];
  const { replacements, conflicts } = resolveExternalConflicts(all);
  for (const original of all) {
    if (!isProxied(original)) {
      continue;
    }
    const svc = replacements.get(original) ?? original;
    const key = svcKey(svc);
    const f = cache.get(svc, bySvc.get(key) ?? [], opts, optsKey);
    fragments.set(key, f);
    if (f.picks.size > 0) {
      for (const [name, rules] of f.picks) {
        picks.set(name, rules);
      }
    }
    servicePorts += f.servicePorts;
    endpoints += f.endpoints;
  }
  const nodePortIps = opts.nodePortIPs === undefined ? undefined : sortIps(opts.nodePortIPs);
  return { table: opts.table ?? TABLE_NAME, fixed: fixedParts(opts.nodePortIPs !== undefined).join('\n'), nodePortIps, fragments, picks, servicePorts, endpoints, conflicts };
}

/** Renders the complete table for the given objects; deterministic (same input, same text). */
export function renderRuleset(services: Iterable<Service>, slices: Iterable<EndpointSlice>, opts: RenderOptions): Rendered {
  const state = renderState(services, slices, opts);
  return { text: fullText(state), servicePorts: state.servicePorts, endpoints: state.endpoints };
}

function block(kind: string, name: string, decl: string, elements: readonly string[]): string {
  const elems = elements.length > 0 ? `\t\telements = {\n\t\t\t${elements.join(',\n\t\t\t')}\n\t\t}\n` : '';
  return `\t${kind} ${name} {\n\t\t${decl}\n${elems}\t}`;
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
    // Hairpin: a pod DNATed to itself (original destination a cluster IP) is masqueraded, or it would answer itself directly.
    chain('masquerading', ['ip saddr . ip daddr . ct original ip daddr @hairpin-connections jump mark-for-masquerade', `meta mark & ${MASQUERADE_MARK} == 0 return`, `meta mark set meta mark xor ${MASQUERADE_MARK}`, 'masquerade fully-random']),
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
  const chains = new Map<string, readonly string[]>(state.picks);
  const affinitySets: string[] = [];
  const maps = new Map<string, string[]>(MAP_DECLS.map(([name]) => [name, []]));
  const sets = new Map<string, Set<string>>(SET_DECLS.map(([name]) => [name, new Set()]));
  for (const key of keys) {
    const f = state.fragments.get(key);
    if (f === undefined) {
      continue;
    }
    for (const [name, rules] of f.chains) {
      chains.set(name, rules);
    }
    for (const [name, body] of f.sets) {
      affinitySets.push(setDecl(name, body));
    }
    for (const [name, elements] of fragmentMaps(f)) {
      const into = maps.get(name);
      for (const [k, v] of elements) {
        into?.push(`${k} : ${v}`);
      }
    }
    for (const [name, elements] of fragmentSets(f)) {
      const into = sets.get(name);
      for (const e of elements) {
        into?.add(e);
      }
    }
  }
  const parts: string[] = [
    ...SET_DECLS.map(([name, decl]) => block('set', name, decl, name === 'cluster-ips' ? sortIps(sets.get(name) ?? []) : [...(sets.get(name) ?? [])])),
    ...(state.nodePortIps !== undefined ? [block('set', 'nodeport-ips', 'type ipv4_addr', state.nodePortIps)] : []),
    ...MAP_DECLS.map(([name, decl]) => block('map', name, decl, maps.get(name) ?? [])),
    ...affinitySets,
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
