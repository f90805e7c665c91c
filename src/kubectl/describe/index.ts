/**
 * Describes one object the way kubectl's describer for its kind does: fetches the object and
 * what the describer shows alongside it (events by involvedObject field selector, a service's
 * EndpointSlices, a controller's pods and replica sets, a namespace's quotas), then formats it.
 * Kinds without a describer of their own get the generic one.
 */
import type { RestClient } from '../../client/rest.ts';
import type { ResourceMapping } from '../command.ts';
import { describeCronJob, describeDaemonSet, describeStatefulSet } from './controllers.ts';
import { describeConfigMap, describeNamespace, describeSecret, describeService } from './core.ts';
import { describeGeneric } from './generic.ts';
import { describeNode } from './node.ts';
import { describePod } from './pod.ts';
import { at, str } from './writer.ts';
import type { Obj } from './writer.ts';
import { countPods, describeDeployment, describeJob, describeReplicaSet, selectorString } from './workloads.ts';

/** What `--show-events` and `--chunk-size` ask for. */
export interface DescribeSettings {
  readonly showEvents: boolean;
  readonly chunkSize: number;
}

type Query = Record<string, string | number>;

/** Lists every object of a resource, following `continue` in pages of `chunkSize` (0: one request). */
export async function listAll(client: RestClient, group: string, version: string, resource: string, namespace: string | undefined, query: Query, chunkSize: number): Promise<Obj[]> {
  const items: Obj[] = [];
  let cont = '';
  do {
    const q: Query = { ...query, ...(chunkSize > 0 ? { limit: chunkSize } : {}), ...(cont !== '' ? { continue: cont } : {}) };
    const list = await client.list({ group, version, resource, namespace }, q);
    items.push(...((list.items ?? []) as unknown as Obj[]));
    cont = typeof list.metadata?.continue === 'string' ? list.metadata.continue : '';
  } while (cont !== '');
  return items;
}

/** Events about an object: core/v1 events matched on involvedObject name, namespace, kind (unless `withKind` is false) and uid. */
async function eventsFor(client: RestClient, obj: Obj, withKind: boolean, settings: DescribeSettings): Promise<Obj[] | undefined> {
  if (!settings.showEvents) {
    return undefined;
  }
  const namespace = str(obj, 'metadata', 'namespace');
  const fields: [string, string][] = [];
  if (withKind && str(obj, 'kind') !== '') {
    fields.push(['involvedObject.kind', str(obj, 'kind')]);
  }
  fields.push(['involvedObject.name', str(obj, 'metadata', 'name')], ['involvedObject.namespace', namespace]);
  if (str(obj, 'metadata', 'uid') !== '') {
    fields.push(['involvedObject.uid', str(obj, 'metadata', 'uid')]);
  }
  try {
    return await listAll(client, '', 'v1', 'events', namespace === '' ? undefined : namespace, { fieldSelector: fields.map(([k, v]) => `${k}=${v}`).join(',') }, settings.chunkSize);
  } catch {
    // Upstream ignores a failed event search and prints no Events section.
    return undefined;
  }
}

function ownedBy(obj: Obj, uid: string): boolean {
  const refs = (at(obj, 'metadata', 'ownerReferences') as Obj[] | undefined) ?? [];
  return refs.some((r) => at(r, 'controller') === true && str(r, 'uid') === uid);
}

/** A pod template without the pod-template-hash label, canonicalised for comparison. */
function templateKey(template: unknown): string {
  const copy = structuredClone(template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  delete copy.metadata?.labels?.['pod-template-hash'];
  const sortDeep = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.map(sortDeep);
    }
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return JSON.stringify(sortDeep(copy));
}

/** Formats an already fetched object with the describer for its kind, fetching what that describer needs. */
export async function describeObject(client: RestClient, mapping: ResourceMapping, obj: Obj, settings: DescribeSettings): Promise<string> {
  const namespace = str(obj, 'metadata', 'namespace');
  const uid = str(obj, 'metadata', 'uid');
  const key = `${mapping.group}/${mapping.kind}`;
  switch (key) {
    case '/Pod':
      // kubectl clears the kind of a pod's reference before searching its events.
      return describePod(obj, await eventsFor(client, obj, false, settings));
    case '/ConfigMap':
      return describeConfigMap(obj, await eventsFor(client, obj, true, settings));
    case '/Secret':
      return describeSecret(obj);
    case '/Namespace': {
      const name = str(obj, 'metadata', 'name');
      const quotas = await listAll(client, '', 'v1', 'resourcequotas', name, {}, settings.chunkSize).catch(() => undefined);
      const limits = await listAll(client, '', 'v1', 'limitranges', name, {}, settings.chunkSize).catch(() => undefined);
      return describeNamespace(obj, quotas, limits);
    }
    case '/Service': {
      const slices = await listAll(client, 'discovery.k8s.io', 'v1', 'endpointslices', namespace, { labelSelector: `kubernetes.io/service-name=${str(obj, 'metadata', 'name')}` }, 0).catch(() => []);
      return describeService(obj, slices, await eventsFor(client, obj, true, settings));
    }
    case 'apps/ReplicaSet': {
      const pods = await listAll(client, '', 'v1', 'pods', namespace, { labelSelector: selectorString(at(obj, 'spec', 'selector')) }, settings.chunkSize);
      return describeReplicaSet(obj, countPods(pods, uid), await eventsFor(client, obj, true, settings));
    }
    case 'apps/DaemonSet':
    case 'apps/StatefulSet': {
      const pods = await listAll(client, '', 'v1', 'pods', namespace, { labelSelector: selectorString(at(obj, 'spec', 'selector')) }, settings.chunkSize);
      const events = await eventsFor(client, obj, true, settings);
      return mapping.kind === 'DaemonSet' ? describeDaemonSet(obj, countPods(pods, uid), events) : describeStatefulSet(obj, countPods(pods, uid), events);
    }
    case 'batch/CronJob':
      return describeCronJob(obj, await eventsFor(client, obj, true, settings));
    case 'apps/Deployment': {
      const rss = (await listAll(client, 'apps', 'v1', 'replicasets', namespace, { labelSelector: selectorString(at(obj, 'spec', 'selector')) }, 0)).filter((rs) => ownedBy(rs, uid));
      const wanted = templateKey(at(obj, 'spec', 'template'));
      const byAge = [...rss].sort((a, b) => str(a, 'metadata', 'creationTimestamp').localeCompare(str(b, 'metadata', 'creationTimestamp')));
      const newRS = byAge.find((rs) => templateKey(at(rs, 'spec', 'template')) === wanted);
      const oldRSs = rss.filter((rs) => rs !== newRS);
      return describeDeployment(obj, oldRSs, newRS ? [newRS] : [], await eventsFor(client, obj, true, settings));
    }
    case '/Node': {
      const name = str(obj, 'metadata', 'name');
      const pods = await listAll(client, '', 'v1', 'pods', undefined, { fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` }, settings.chunkSize);
      let lease: Obj | string;
      try {
        lease = (await client.get({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease', name })) as unknown as Obj;
      } catch (err) {
        lease = (err as Error).message;
      }
      // The controllers record node events under the node's uid, the kubelet under its name: both are searched.
      const byUid = await eventsFor(client, obj, true, settings);
      const byName = await eventsFor(client, { ...obj, metadata: { ...(obj.metadata as Obj), uid: name } }, true, settings);
      return describeNode(obj, pods, lease, byUid === undefined ? undefined : [...byUid, ...(byName ?? [])]);
    }
    case 'batch/Job':
      return describeJob(obj, await eventsFor(client, obj, true, settings));
    default:
      return describeGeneric(obj, await eventsFor(client, obj, true, settings));
  }
}
