/**
 * One service port → its part of a Service's fragment. The common case (no session affinity,
 * traffic policies Cluster) is elements only: the dispatch maps point at a shared pick chain and
 * the endpoint maps hold the backends, so a change to the Service is a few element updates.
 * Session affinity and Local traffic policies keep per-Service chains (upstream's layout).
 */
import { categorize } from './endpoints.ts';
import type { Backend } from './endpoints.ts';
import { hash, PickFamily, pickChain, PRESET_PICKS, sortIps } from './fragment.ts';
import type { Fragment, RenderOptions } from './fragment.ts';
import type { Service, ServicePort } from './types.ts';

const DEFAULT_AFFINITY_TIMEOUT = 10800;

/** Everything about one service port that both shapes need. */
interface PortContext {
  readonly svc: Service;
  readonly port: ServicePort;
  readonly proto: string;
  readonly clusterIP: string;
  readonly cluster: readonly Backend[];
  readonly local: readonly Backend[];
  readonly internalLocal: boolean;
  readonly externalLocal: boolean;
  readonly extIPs: readonly string[];
  readonly nodePort: number | undefined;
  readonly hasExternal: boolean;
  /** Affinity timeout in seconds (sessionAffinity ClientIP), else undefined. */
  readonly affinity: number | undefined;
  readonly opts: RenderOptions;
}

/** The IPv4 external addresses a Service answers on: spec.externalIPs and, for LoadBalancers, the ingress IPs. */
export function externalIPs(svc: Service): string[] {
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

/** Adds one service port's elements (and, for affinity / Local policies, chains); returns how many endpoints it uses. */
export function renderServicePort(f: Fragment, svc: Service, port: ServicePort, all: readonly Backend[], opts: RenderOptions): number {
  const spec = svc.spec ?? {};
  const { cluster, local } = categorize(all, opts.hostname);
  const extIPs = externalIPs(svc);
  const nodePort = (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && port.nodePort !== undefined && port.nodePort > 0 ? port.nodePort : undefined;
  const c: PortContext = {
    svc,
    port,
    proto: (port.protocol ?? 'TCP').toLowerCase(),
    clusterIP: spec.clusterIP ?? '',
    cluster,
    local,
    internalLocal: spec.internalTrafficPolicy === 'Local',
    externalLocal: spec.externalTrafficPolicy === 'Local',
    extIPs,
    nodePort,
    hasExternal: extIPs.length > 0 || nodePort !== undefined,
    affinity: spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT) : undefined,
    opts,
  };
  f.clusterIps.add(c.clusterIP);
  const needsChains = c.affinity !== undefined || c.internalLocal || (c.hasExternal && c.externalLocal);
  return needsChains ? renderChained(f, c) : renderElements(f, c);
}

/** The chain-free shape: dispatch elements → shared pick-k chain → endpoint map elements. */
function renderElements(f: Fragment, c: PortContext): number {
  const { proto, clusterIP, cluster } = c;
  const port = c.port.port;
  const k = cluster.length;
  if (k === 0) {
    // No usable endpoint at all: rejected like upstream (the filter hooks check these maps).
    f.noEpServices.set(`${clusterIP} . ${proto} . ${port}`, 'goto reject-chain');
    for (const ip of c.extIPs) {
      f.noEpServices.set(`${ip} . ${proto} . ${port}`, 'goto reject-chain');
    }
    if (c.nodePort !== undefined) {
      f.noEpNodePorts.set(`${proto} . ${c.nodePort}`, 'goto reject-chain');
    }
    return 0;
  }
  const targets = cluster.map((b) => `${b.ip} . ${b.port}`);
  const dispatch = (map: Map<string, string>, key: string, family: PickFamily): void => {
    const [name, rules] = pickChain(family, k, c.opts.clusterCIDR);
    if (k > PRESET_PICKS) {
      f.picks.set(name, rules); // the preset ones are always there
    }
    map.set(key, `goto ${name}`);
  };
  const endpoints = (map: Map<string, string>, key: string): void => {
    targets.forEach((t, i) => map.set(`${key} . ${i}`, t));
  };
  const vip = `${clusterIP} . ${proto} . ${port}`;
  dispatch(f.serviceIps, vip, PickFamily.clusterIP);
  endpoints(f.serviceEndpoints, vip);
  for (const b of cluster) {
    // After DNAT the connection's original destination is still the cluster IP: a pod that was
    // sent to itself is masqueraded, or its reply would bypass the NAT (postrouting checks this set).
    f.hairpin.add(`${b.ip} . ${b.ip} . ${clusterIP}`);
  }
  for (const ip of c.extIPs) {
    const key = `${ip} . ${proto} . ${port}`;
    dispatch(f.serviceIps, key, PickFamily.external);
    endpoints(f.serviceEndpoints, key);
  }
  if (c.nodePort !== undefined) {
    const key = `${proto} . ${c.nodePort}`;
    dispatch(f.nodePorts, key, PickFamily.nodePort);
    endpoints(f.nodePortEndpoints, key);
  }
  return k;
}

/**
 * Upstream's per-Service layout, for the features that need per-Service state: a balancing chain
 * (cluster-wide and/or node-local), an external chain for NodePort/LB/external IPs, and one
 * chain per endpoint (hairpin masquerade, affinity update, DNAT). Returns how many endpoint chains it made.
 */
function renderChained(l: Fragment, c: PortContext): number {
  const { svc, port, proto, clusterIP, cluster, local, internalLocal, externalLocal, extIPs, nodePort, hasExternal, affinity, opts } = c;
  const base = `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}/${proto}/${port.name ?? ''}`;
  const h = hash(base);
  const internal = internalLocal ? local : cluster;
  const external = externalLocal ? local : cluster;

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
