/** What Endpoints and EndpointSlices both need: which pods back a service, their readiness, and resolved target ports. */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { labelSelectorFromSet } from '../../api/selectors/index.ts';
import type { SharedInformer, WorkQueue } from '../../client/index.ts';
import { keyOf, unwrap } from '../manager/kit.ts';
import { isPodReady } from '../replicaset/pods.ts';
import type { Pod } from '../replicaset/pods.ts';

/** The Service fields the endpoint controllers read. */
export interface Service extends KubeObject {
  spec?: {
    selector?: Record<string, string>;
    clusterIP?: string;
    type?: string;
    publishNotReadyAddresses?: boolean;
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string; appProtocol?: string }[];
  };
}

/** A pod with the container ports endpoint controllers resolve named target ports against. */
export interface EndpointPod extends Pod {
  spec?: Pod['spec'] & { hostname?: string; subdomain?: string; containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[] };
  status?: Pod['status'] & { podIP?: string; podIPs?: { ip: string }[] };
}

/** One resolved endpoint port. */
export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** The pod's view for endpoints: address, readiness, and whether it is terminating. */
export interface PodEndpoint {
  readonly pod: DeepReadonly<EndpointPod>;
  readonly ip: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/** ShouldPodBeInEndpoints + readiness: undefined when the pod has no IP, is terminal, or (without includeTerminating) is deleting. */
export function podEndpoint(svc: DeepReadonly<Service>, pod: DeepReadonly<EndpointPod>, includeTerminating: boolean): PodEndpoint | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    return undefined;
  }
  const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? '';
  if (ip === '') {
    return undefined;
  }
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const publish = svc.spec?.publishNotReadyAddresses === true;
  if (terminating && !includeTerminating && !publish) {
    return undefined;
  }
  const podReady = isPodReady(pod);
  return { pod, ip, ready: publish || (podReady && !terminating), serving: publish || podReady, terminating };
}

/** Resolves every service port against the pod (named targetPorts look up container ports); unresolvable ports are skipped. */
export function resolvePorts(svc: DeepReadonly<Service>, pod: DeepReadonly<EndpointPod>): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const protocol = sp.protocol ?? 'TCP';
    let port: number | undefined;
    const target = sp.targetPort ?? sp.port;
    if (typeof target === 'number') {
      port = target;
    } else if (/^\d+$/.test(target)) {
      port = Number(target);
    } else {
      for (const c of pod.spec?.containers ?? []) {
        const cp = (c.ports ?? []).find((p) => p.name === target && (p.protocol ?? 'TCP') === protocol);
        if (cp !== undefined) {
          port = cp.containerPort;
          break;
        }
      }
    }
    if (port === undefined) {
      continue;
    }
    const ep: EndpointPort = { port, protocol };
    if (sp.name !== undefined && sp.name !== '') {
      ep.name = sp.name;
    }
    if (sp.appProtocol !== undefined) {
      ep.appProtocol = sp.appProtocol;
    }
    out.push(ep);
  }
  return out;
}

/** True for a headless service (clusterIP None). */
export function isHeadless(svc: DeepReadonly<Service>): boolean {
  return svc.spec?.clusterIP === 'None';
}

/**
 * Queues a Service on its own changes and on every change of a pod its selector picks (old
 * and new labels both, so a pod leaving a selector updates the old Service). The Endpoints and
 * EndpointSlice controllers react to the same events.
 */
export function enqueueServicesAndTheirPods(queue: WorkQueue<string>, services: SharedInformer<Service>, pods: SharedInformer<EndpointPod>): void {
  const servicesFor = (pod: DeepReadonly<EndpointPod>): void => {
    for (const svc of services.lister.list(pod.metadata.namespace ?? '')) {
      const sel = svc.spec?.selector;
      if (sel !== undefined && Object.keys(sel).length > 0 && labelSelectorFromSet(sel).matches(pod.metadata.labels)) {
        queue.add(keyOf(svc));
      }
    }
  };
  services.addEventHandler({ onAdd: (s) => queue.add(keyOf(s)), onUpdate: (_o, s) => queue.add(keyOf(s)), onDelete: (s) => queue.add(keyOf(unwrap(s))) });
  pods.addEventHandler({
    onAdd: servicesFor,
    onUpdate: (old, pod) => {
      servicesFor(old);
      servicesFor(pod);
    },
    onDelete: (p) => servicesFor(unwrap(p)),
  });
}
