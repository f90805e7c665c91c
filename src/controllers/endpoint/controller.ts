/**
 * The endpoints controller: for every Service with a selector, an Endpoints object of the same
 * name listing matching pods' IPs — ready ones under `addresses`, others under
 * `notReadyAddresses` (all under `addresses` with publishNotReadyAddresses) — grouped into
 * subsets by resolved port set. Endpoints of deleted services are removed.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import { labelSelectorFromSet } from '../../api/selectors/index.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { canonicalJson } from '../deployment/util.ts';
import { keyOf, R, runQueue, unwrap } from '../manager/kit.ts';
import { enqueueServicesAndTheirPods, isHeadless, podEndpoint, resolvePorts } from './shared.ts';
import type { EndpointPod, EndpointPort, Service } from './shared.ts';

/** Upstream's registration name. */
export const Name = 'endpoints-controller';

interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

/** The subsets for `svc` over `pods`, sorted so equal content compares equal. */
export function desiredSubsets(svc: DeepReadonly<Service>, pods: readonly DeepReadonly<EndpointPod>[]): EndpointSubset[] {
  const groups = new Map<string, EndpointSubset>();
  for (const pod of pods) {
    const ep = podEndpoint(svc, pod, false);
    if (ep === undefined) {
      continue;
    }
    const ports = resolvePorts(svc, pod);
    if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) {
      continue;
    }
    const addr: EndpointAddress = { ip: ep.ip, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' } };
    if (pod.spec?.nodeName !== undefined && pod.spec.nodeName !== '') {
      addr.nodeName = pod.spec.nodeName;
    }
    if (pod.spec?.hostname !== undefined && pod.spec.subdomain === svc.metadata.name) {
      addr.hostname = pod.spec.hostname;
    }
    const sig = canonicalJson(ports);
    let subset = groups.get(sig);
    if (subset === undefined) {
      subset = ports.length > 0 ? { ports } : {};
      groups.set(sig, subset);
    }
    const list = ep.ready ? (subset.addresses ??= []) : (subset.notReadyAddresses ??= []);
    list.push(addr);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress): number => a.ip.localeCompare(b.ip) || a.targetRef.name.localeCompare(b.targetRef.name);
  const subsets = [...groups.values()];
  for (const s of subsets) {
    s.addresses?.sort(byIp);
    s.notReadyAddresses?.sort(byIp);
  }
  return subsets.sort((a, b) => canonicalJson(a.ports ?? []).localeCompare(canonicalJson(b.ports ?? [])));
}

/** Factory for the registration table. */
export function endpointsControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'endpoint' });
  const services = ctx.informers.informerFor<Service>(R.services);
  const pods = ctx.informers.informerFor<EndpointPod>(R.pods);
  const endpoints = ctx.informers.informerFor<Endpoints>(R.endpoints);
  enqueueServicesAndTheirPods(queue, services, pods);
  endpoints.addEventHandler({ onDelete: (e) => queue.add(keyOf(unwrap(e))) });

  const sync = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const svc = services.lister.get(namespace, name);
    const current = endpoints.lister.get(namespace, name);
    const ref = { ...R.endpoints, namespace, name };
    if (svc === undefined) {
      if (current !== undefined) {
        await ctx.client.delete(ref).catch((e: unknown) => {
          if (!isNotFound(e)) {
            throw e;
          }
        });
      }
      return;
    }
    const selector = svc.spec?.selector;
    if (selector === undefined || Object.keys(selector).length === 0) {
      return;
    }
    const matching = pods.lister.list(namespace, labelSelectorFromSet(selector));
    const subsets = desiredSubsets(svc, matching);
    const labels: Record<string, string> = { ...svc.metadata.labels };
    if (isHeadless(svc)) {
      labels['service.kubernetes.io/headless'] = '';
    } else {
      delete labels['service.kubernetes.io/headless'];
    }
    if (current !== undefined && canonicalJson(current.subsets ?? []) === canonicalJson(subsets) && canonicalJson(current.metadata.labels ?? {}) === canonicalJson(labels)) {
      return;
    }
    if (current === undefined) {
      try {
        await ctx.client.create({ ...R.endpoints, namespace }, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, labels }, subsets });
      } catch (e) {
        if (!isAlreadyExists(e) && !/being terminated/.test((e as Error).message)) {
          throw e;
        }
      }
      return;
    }
    const next = structuredClone(current) as Endpoints;
    next.metadata.labels = labels;
    next.subsets = subsets;
    await ctx.client.update(ref, next);
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([services.waitForSync(signal), pods.waitForSync(signal), endpoints.waitForSync(signal)]);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
