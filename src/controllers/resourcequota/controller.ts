/**
 * The resource quota controller (upstream `resourcequota-controller`): keeps each
 * ResourceQuota's status.hard (= spec.hard) and status.used current. As upstream, it recounts
 * when a quota is added or its spec.hard changes, when pods/services/PVCs/configmaps/secrets in
 * its namespace are deleted or updated (usage can only drop that way: "replenishment"), and on
 * a full resync every --resource-quota-sync-period (default 5 m). Creates are charged by the
 * apiserver's quota admission; recounting on them too would race with it (a count from an
 * informer that has not seen the new object yet would overwrite the charge).
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { canonicalResourceQuantity } from '../../api/quantity.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, pause, runQueue, unwrap } from '../manager/kit.ts';
import { discoverResources } from '../manager/discovery.ts';
import type { DiscoveredResource } from '../manager/discovery.ts';
import type { Pod } from '../history/pods.ts';
import { canonicalJson } from '../history/revision.ts';
import type { ResourceQuota, UsageInputs } from '../../api/quota/usage.ts';
import { computeUsage, countedResource, podCounts } from '../../api/quota/usage.ts';

/** What a Service's quota usage is made of: its type and ports. */
function serviceShape(svc: DeepReadonly<KubeObject>): unknown {
  const spec = svc.spec as { type?: unknown; ports?: unknown } | undefined;
  return [spec?.type, spec?.ports];
}

/** The containers' resources of a pod (what its quota usage is made of). */
function resourcesOf(p: DeepReadonly<KubeObject>): unknown {
  const spec = p.spec as { containers?: readonly { resources?: unknown }[]; initContainers?: readonly { resources?: unknown }[] } | undefined;
  return [spec?.containers?.map((c) => c.resources), spec?.initContainers?.map((c) => c.resources)];
}

/** Upstream's registration name. */
export const Name = 'resourcequota-controller';

const QUOTAS = { group: '', version: 'v1', resource: 'resourcequotas' } as const;
const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims' } as const;
const SECRETS = { group: '', version: 'v1', resource: 'secrets' } as const;

function parseDurationMs(v: unknown, fallback: number): number {
  if (typeof v !== 'string') {
    return fallback;
  }
  let ms = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    ms += Number(m[1]) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const)[m[2] as 'h' | 'm' | 's' | 'ms'];
  }
  return ms > 0 ? ms : fallback;
}

/** Factory for the registration table. */
export function resourceQuotaControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'resourcequota_primary' });
  const quotas = ctx.informers.informerFor<ResourceQuota>(QUOTAS);
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  const services = ctx.informers.informerFor(R.services);
  const pvcs = ctx.informers.informerFor(PVCS);
  const configmaps = ctx.informers.informerFor(R.configmaps);
  const secrets = ctx.informers.informerFor(SECRETS);
  const informed: Readonly<Record<string, { lister: { list(ns?: string): readonly DeepReadonly<KubeObject>[] } }>> = { pods, services, persistentvolumeclaims: pvcs, configmaps, secrets, resourcequotas: quotas };
  const quotaKey = (q: DeepReadonly<KubeObject>): string => `${q.metadata.namespace ?? ''}/${q.metadata.name ?? ''}`;
  quotas.addEventHandler({
    onAdd: (q) => queue.add(quotaKey(q)),
    // Status updates are this controller's and the admission's own: only a new spec.hard needs a recount.
    onUpdate: (o, n) => {
      if (canonicalJson(o.spec?.hard ?? {}) !== canonicalJson(n.spec?.hard ?? {})) {
        queue.add(quotaKey(n));
      }
    },
  });
  const byNamespace = (o: DeepReadonly<KubeObject>): void => {
    for (const q of quotas.lister.list(o.metadata.namespace ?? '')) {
      queue.add(quotaKey(q));
    }
  };
  const recountOnUpdate: [typeof pods | typeof services, (o: DeepReadonly<KubeObject>, n: DeepReadonly<KubeObject>) => boolean][] = [
    // A pod stops counting when it finishes; its requests change only through a resize.
    [pods, (o, n) => podCounts(o as DeepReadonly<Pod>) !== podCounts(n as DeepReadonly<Pod>) || canonicalJson(resourcesOf(o)) !== canonicalJson(resourcesOf(n))],
    [services, (o, n) => canonicalJson(serviceShape(o)) !== canonicalJson(serviceShape(n))],
    [pvcs, (o, n) => canonicalJson(o.spec ?? {}) !== canonicalJson(n.spec ?? {})],
  ];
  for (const [inf, changed] of recountOnUpdate) {
    inf.addEventHandler({ onUpdate: (o, n) => changed(o, n) && byNamespace(n), onDelete: (d) => byNamespace(unwrap(d)) });
  }
  for (const inf of [configmaps, secrets]) {
    inf.addEventHandler({ onDelete: (d) => byNamespace(unwrap(d)) });
  }
  let discovered: readonly DiscoveredResource[] = [];

  const sync = async (key: string): Promise<void> => {
    const { namespace = '', name } = splitKey(key);
    const quota = quotas.lister.get(namespace, name);
    if (quota === undefined) {
      return;
    }
    // Counts of resources without an informer here come from a list (only when the quota asks).
    const listed = new Map<string, number>();
    for (const k of Object.keys(quota.spec?.hard ?? {})) {
      const res = countedResource(k);
      if (res === undefined || informed[res] !== undefined) {
        continue;
      }
      const [plural, ...group] = res.split('.');
      const d = discovered.find((r) => r.resource === plural && r.group === group.join('.') && r.namespaced);
      if (d !== undefined) {
        const list = await ctx.client.list({ group: d.group, version: d.version, resource: d.resource, namespace });
        listed.set(res, list.items.length);
      }
    }
    const inputs: UsageInputs = {
      pods: pods.lister.list(namespace),
      pvcs: pvcs.lister.list(namespace),
      services: services.lister.list(namespace),
      count: (res) => informed[res]?.lister.list(namespace).length ?? listed.get(res),
    };
    const hard = Object.fromEntries(Object.entries(quota.spec?.hard ?? {}).map(([k, v]) => [k, String(canonicalResourceQuantity(String(v)))]));
    const status = { hard, used: computeUsage(quota, inputs) };
    if (canonicalJson(status) !== canonicalJson(quota.status ?? {})) {
      const next = structuredClone(quota) as ResourceQuota;
      next.status = status;
      await ctx.client.update({ ...QUOTAS, namespace, name, subresource: 'status' }, next);
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([quotas, pods, services, pvcs, configmaps, secrets].map((i) => i.waitForSync(signal)));
      const period = parseDurationMs(ctx.options.flags['resource-quota-sync-period'], 5 * 60_000);
      const resync = (async (): Promise<void> => {
        while (!signal.aborted) {
          try {
            discovered = await discoverResources(ctx.client);
          } catch (e) {
            ctx.logger('warning', `${Name}: discovery failed: ${(e as Error).message}`);
          }
          for (const q of quotas.lister.list()) {
            queue.add(`${q.metadata.namespace ?? ''}/${q.metadata.name ?? ''}`);
          }
          await pause(period, signal);
        }
      })();
      await runQueue(queue, workers, signal, sync, ctx.logger);
      await resync;
    },
  };
}
