/**
 * The service load-balancer controller: every LoadBalancer Service without a loadBalancerClass gets
 * `status.loadBalancer.ingress`, so none stays `<pending>` (k3s's servicelb does this job in the
 * server; upstream leaves it to a cloud provider's service controller). Two modes:
 * - with `--service-lb-pool`, one address per Service from the pool (lowest free, or the asked-for
 *   `spec.loadBalancerIP`); the agents' speakers announce it on one Ready node each;
 * - without a pool, the addresses of the Ready nodes (ExternalIP, else InternalIP), as k3s does:
 *   kube-proxy answers the Service's ports on those addresses.
 * All Services are reconciled together under one key: pool allocation needs the whole picture,
 * and one worker never hands the same address out twice.
 */
import { isIP } from 'node:net';
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { EventType, PatchType, WorkQueue } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, runQueue } from '../manager/kit.ts';
import { allocate, parsePool, wantsAddress } from './pool.ts';

/** Registration name (k8ts's own: upstream's kube-controller-manager has no load balancer). */
export const Name = 'service-lb-controller';

interface Service extends KubeObject {
  spec?: { type?: string; loadBalancerIP?: string; loadBalancerClass?: string; ports?: { port: number; protocol?: string }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; ipMode?: string }[] } };
}

interface Node extends KubeObject {
  status?: { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string }[] };
}

/** A status change to write: `ips` empty clears the ingress. */
export interface IngressChange {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion?: string;
  readonly ips: readonly string[];
}

const SYNC_KEY = 'all';

const currentIps = (s: DeepReadonly<Service>): string[] => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');

/** The address each Ready node offers: ExternalIP when it has one, else InternalIP (k3s's choice). Sorted, unique. */
export function nodeAddresses(nodes: Iterable<DeepReadonly<Node>>): string[] {
  const out = new Set<string>();
  for (const n of nodes) {
    if (n.metadata.deletionTimestamp !== undefined || !(n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) {
      continue;
    }
    const addrs = n.status?.addresses ?? [];
    const ip = addrs.find((a) => a.type === 'ExternalIP')?.address ?? addrs.find((a) => a.type === 'InternalIP')?.address;
    if (ip !== undefined && isIP(ip) === 4) {
      out.add(ip);
    }
  }
  return [...out].sort();
}

const keyOf = (s: DeepReadonly<Service>): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;

/**
 * In node-address mode every LoadBalancer Service answers on the same addresses, so two cannot
 * share a port: the oldest keeps it and a later one stays without an address (`<pending>`), as with
 * k3s's servicelb. Service key → why it gets none.
 */
export function nodePortConflicts(services: Iterable<DeepReadonly<Service>>): Map<string, string> {
  const wanting = [...services].filter(wantsAddress);
  wanting.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || keyOf(a).localeCompare(keyOf(b)));
  const owner = new Map<string, string>();
  const out = new Map<string, string>();
  for (const s of wanting) {
    const ports = (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`);
    const taken = ports.find((p) => owner.has(p));
    if (taken !== undefined) {
      out.set(keyOf(s), `port ${taken} is already used by LoadBalancer Service ${owner.get(taken) ?? ''} on the node addresses`);
      continue;
    }
    for (const p of ports) {
      owner.set(p, keyOf(s));
    }
  }
  return out;
}

/**
 * The status writes that bring every Service in line: `pool` empty means node-address mode.
 * A Service that stopped being of type LoadBalancer loses its ingress; one with another
 * loadBalancerClass is never touched; with no Ready node, node-address mode changes nothing
 * (a rebooting single node must not flap its Services to `<pending>`). `conflicts`: the caller's
 * nodePortConflicts of the same Services, when it has them already.
 */
export function ingressChanges(services: Iterable<DeepReadonly<Service>>, pool: readonly string[], nodeIps: readonly string[], conflicts?: ReadonlyMap<string, string>): IngressChange[] {
  const all = [...services];
  const out: IngressChange[] = [];
  const change = (s: DeepReadonly<Service>, ips: readonly string[]): void => {
    out.push({ namespace: s.metadata.namespace ?? '', name: s.metadata.name ?? '', resourceVersion: s.metadata.resourceVersion, ips });
  };
  for (const s of all) {
    if (s.spec?.type !== 'LoadBalancer' && currentIps(s).length > 0) {
      change(s, []);
    }
  }
  if (pool.length > 0) {
    // A Service holding a pool address keeps it; every other LoadBalancer Service gets one.
    for (const a of allocate(all, pool)) {
      out.push({ namespace: a.namespace, name: a.name, resourceVersion: a.resourceVersion, ips: [a.ip] });
    }
    return out;
  }
  if (nodeIps.length === 0) {
    return out;
  }
  const pending = conflicts ?? nodePortConflicts(all);
  for (const s of all) {
    if (!wantsAddress(s)) {
      continue;
    }
    const want = pending.has(keyOf(s)) ? [] : nodeIps;
    if (currentIps(s).join(',') !== want.join(',')) {
      change(s, want);
    }
  }
  return out;
}

/** Factory for the registration table; the pool comes from --service-lb-pool. */
export function serviceLbControllerFactory(ctx: ControllerContext): Controller {
  const poolFlag = ctx.options.flags['service-lb-pool'];
  const pool = parsePool(Array.isArray(poolFlag) ? poolFlag.join(',') : typeof poolFlag === 'string' ? poolFlag : '');
  const queue = new WorkQueue<string>({ name: 'service_lb' });
  const services = ctx.informers.informerFor<Service>(R.services);
  const nodes = pool.length === 0 ? ctx.informers.informerFor<Node>(R.nodes) : undefined;
  const recorder = ctx.recorder(Name);
  const poke = { onAdd: () => queue.add(SYNC_KEY), onUpdate: () => queue.add(SYNC_KEY), onDelete: () => queue.add(SYNC_KEY) };
  services.addEventHandler(poke);
  nodes?.addEventHandler(poke);

  // Conflicts already reported, so a Service left pending gets one event per new reason, not one per sync.
  let reported = new Map<string, string>();

  const sync = async (): Promise<void> => {
    const nodeIps = nodes === undefined ? [] : nodeAddresses(nodes.lister.list());
    const all = services.lister.list();
    const conflicts = nodes === undefined ? undefined : nodePortConflicts(all);
    if (conflicts !== undefined) {
      for (const [key, why] of conflicts) {
        const [namespace = '', name = ''] = key.split('/');
        const svc = services.lister.get(namespace, name);
        if (reported.get(key) !== why && svc !== undefined) {
          recorder.event(svc, EventType.Warning, 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${why}`);
        }
      }
      reported = conflicts;
    }
    let failed: unknown;
    for (const c of ingressChanges(all, pool, nodeIps, conflicts)) {
      const ref = { ...R.services, namespace: c.namespace, name: c.name, subresource: 'status' };
      const svc = services.lister.get(c.namespace, c.name);
      try {
        if (c.ips.length > 0 && svc !== undefined) {
          recorder.event(svc, EventType.Normal, 'EnsuringLoadBalancer', 'Ensuring load balancer');
        }
        // Merge patch: `ingress: null` removes the list; the resourceVersion makes a stale write fail with 409.
        const ingress = c.ips.length === 0 ? null : c.ips.map((ip) => ({ ip, ipMode: 'VIP' }));
        await ctx.client.patch(ref, { metadata: { resourceVersion: c.resourceVersion }, status: { loadBalancer: { ingress } } }, PatchType.Merge);
        if (c.ips.length > 0 && svc !== undefined) {
          recorder.event(svc, EventType.Normal, 'EnsuredLoadBalancer', 'Ensured load balancer');
          ctx.logger('info', `${Name}: service ${c.namespace}/${c.name} gets load-balancer address ${c.ips.join(', ')}`);
        }
      } catch (e) {
        if (!isNotFound(e)) {
          failed ??= e;
        }
      }
    }
    if (failed !== undefined && !isConflict(failed)) {
      throw failed;
    }
    if (failed !== undefined) {
      // A newer version is on its way through the informer: recompute from it a little later.
      queue.addRateLimited(SYNC_KEY);
    } else {
      queue.forget(SYNC_KEY);
    }
  };

  return {
    run: async (_workers, signal) => {
      await Promise.all([services.waitForSync(signal), nodes?.waitForSync(signal)]);
      queue.add(SYNC_KEY);
      // One worker: allocation must see its own previous hand-outs.
      await runQueue(queue, 1, signal, sync, ctx.logger);
    },
  };
}
