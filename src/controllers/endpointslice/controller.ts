/**
 * The EndpointSlice controller: for every Service with a selector, EndpointSlices labelled
 * `kubernetes.io/service-name` and managed-by `endpointslice-controller.k8s.io`, owned by the
 * Service, one group per resolved port set and address family, at most 100 endpoints each.
 * Conditions follow upstream: ready (ready and not terminating), serving (ready), terminating.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import { labelSelectorFromSet } from '../../api/selectors/index.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { canonicalJson } from '../deployment/util.ts';
import { enqueueServicesAndTheirPods, podEndpoint, resolvePorts } from '../endpoint/shared.ts';
import type { EndpointPod, EndpointPort, Service } from '../endpoint/shared.ts';
import { controllerRef, keyOf, R, runQueue, unwrap } from '../manager/kit.ts';

/** Upstream's registration name. */
export const Name = 'endpointslice-controller';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
/** Upstream's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  nodeName?: string;
  hostname?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

interface EndpointSlice extends KubeObject {
  addressType: string;
  endpoints: SliceEndpoint[];
  ports?: EndpointPort[];
}

/** The desired slice bodies (without names) for `svc` over `pods`. */
export function desiredSlices(svc: DeepReadonly<Service>, pods: readonly DeepReadonly<EndpointPod>[]): { addressType: string; ports: EndpointPort[]; endpoints: SliceEndpoint[] }[] {
  const groups = new Map<string, { addressType: string; ports: EndpointPort[]; endpoints: SliceEndpoint[] }>();
  for (const pod of pods) {
    const ep = podEndpoint(svc, pod, true);
    if (ep === undefined) {
      continue;
    }
    const ports = resolvePorts(svc, pod);
    const addressType = ep.ip.includes(':') ? 'IPv6' : 'IPv4';
    const sig = `${addressType}|${canonicalJson(ports)}`;
    let g = groups.get(sig);
    if (g === undefined) {
      g = { addressType, ports, endpoints: [] };
      groups.set(sig, g);
    }
    const e: SliceEndpoint = {
      addresses: [ep.ip],
      conditions: { ready: ep.ready, serving: ep.serving, terminating: ep.terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
    };
    if (pod.spec?.nodeName !== undefined && pod.spec.nodeName !== '') {
      e.nodeName = pod.spec.nodeName;
    }
    if (pod.spec?.hostname !== undefined && pod.spec.subdomain === svc.metadata.name) {
      e.hostname = pod.spec.hostname;
    }
    g.endpoints.push(e);
  }
  const out: { addressType: string; ports: EndpointPort[]; endpoints: SliceEndpoint[] }[] = [];
  for (const g of [...groups.values()].sort((a, b) => canonicalJson([a.addressType, a.ports]).localeCompare(canonicalJson([b.addressType, b.ports])))) {
    g.endpoints.sort((a, b) => a.addresses[0].localeCompare(b.addresses[0]) || a.targetRef.name.localeCompare(b.targetRef.name));
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      out.push({ addressType: g.addressType, ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
  }
  if (out.length === 0) {
    // Upstream keeps one empty placeholder slice per service so consumers see "no endpoints".
    out.push({ addressType: 'IPv4', ports: [], endpoints: [] });
  }
  return out;
}

/** Factory for the registration table. */
export function endpointSliceControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'endpoint_slice' });
  const services = ctx.informers.informerFor<Service>(R.services);
  const pods = ctx.informers.informerFor<EndpointPod>(R.pods);
  const slices = ctx.informers.informerFor<EndpointSlice>({ ...R.endpointslices, labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
  enqueueServicesAndTheirPods(queue, services, pods);
  const sliceOwner = (s: DeepReadonly<EndpointSlice>): void => {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (svc !== undefined) {
      queue.add(`${s.metadata.namespace ?? ''}/${svc}`);
    }
  };
  slices.addEventHandler({ onUpdate: (_o, s) => sliceOwner(s), onDelete: (s) => sliceOwner(unwrap(s)) });

  const sync = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const svc = services.lister.get(namespace, name);
    const existing = slices.lister.list(namespace, `${SERVICE_NAME_LABEL}=${name}`).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const selector = svc?.spec?.selector;
    if (svc === undefined || selector === undefined || Object.keys(selector).length === 0) {
      // Owned slices of a deleted service go with the garbage collector; selector removed: delete ours.
      if (svc !== undefined) {
        for (const s of existing) {
          await ctx.client.delete({ ...R.endpointslices, namespace, name: s.metadata.name }).catch((e: unknown) => {
            if (!isNotFound(e)) {
              throw e;
            }
          });
        }
      }
      return;
    }
    const desired = desiredSlices(svc, pods.lister.list(namespace, labelSelectorFromSet(selector)));
    const labels: Record<string, string> = { ...svc.metadata.labels, [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
    if (svc.spec?.clusterIP === 'None') {
      labels['service.kubernetes.io/headless'] = '';
    }
    const ownerRef = { apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
    const reusable = existing.filter((s) => controllerRef(s)?.uid === svc.metadata.uid);
    for (let i = 0; i < desired.length; i++) {
      const want = desired[i];
      const have = reusable[i];
      if (have === undefined) {
        await ctx.client.create({ ...R.endpointslices, namespace }, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { generateName: `${name}-`, labels, ownerReferences: [ownerRef] }, ...want });
        continue;
      }
      const same = have.addressType === want.addressType && canonicalJson(have.endpoints ?? []) === canonicalJson(want.endpoints) && canonicalJson(have.ports ?? []) === canonicalJson(want.ports) && canonicalJson(have.metadata.labels ?? {}) === canonicalJson(labels);
      if (same) {
        continue;
      }
      if (have.addressType !== want.addressType) {
        // addressType is immutable: replace the slice.
        await ctx.client.delete({ ...R.endpointslices, namespace, name: have.metadata.name });
        await ctx.client.create({ ...R.endpointslices, namespace }, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { generateName: `${name}-`, labels, ownerReferences: [ownerRef] }, ...want });
        continue;
      }
      const next = structuredClone(have) as EndpointSlice;
      next.metadata.labels = labels;
      next.endpoints = want.endpoints;
      next.ports = want.ports;
      await ctx.client.update({ ...R.endpointslices, namespace, name: have.metadata.name }, next);
    }
    for (const extra of [...reusable.slice(desired.length), ...existing.filter((s) => controllerRef(s)?.uid !== svc.metadata.uid)]) {
      await ctx.client.delete({ ...R.endpointslices, namespace, name: extra.metadata.name }).catch((e: unknown) => {
        if (!isNotFound(e)) {
          throw e;
        }
      });
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([services.waitForSync(signal), pods.waitForSync(signal), slices.waitForSync(signal)]);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
