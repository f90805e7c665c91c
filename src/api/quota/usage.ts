/**
 * ResourceQuota usage (upstream's quota evaluators, reduced): object counts and the compute
 * and storage requests/limits of the objects a quota's scopes select. Shared, as upstream's
 * pkg/quota, by the resource-quota controller (status.used) and the apiserver's quota admission.
 */
import type { DeepReadonly, KubeObject } from '../object.ts';
import type { Quantity } from '../quantity.ts';
import { addResourceLists, canonicalResourceQuantity, maxResourceLists, parseQuantity, parseResourceList } from '../quantity.ts';

type ResourceList = Record<string, string>;

/** The pod fields quota reads. */
export interface Pod extends KubeObject {
  spec?: {
    containers?: { name: string; resources?: { requests?: ResourceList; limits?: ResourceList } }[];
    initContainers?: { name: string; resources?: { requests?: ResourceList; limits?: ResourceList } }[];
    overhead?: ResourceList;
    activeDeadlineSeconds?: number;
    [field: string]: unknown;
  };
  status?: { phase?: string; [field: string]: unknown };
}

/** v1 ResourceQuota (fields read here). */
export interface ResourceQuota extends KubeObject {
  spec?: { hard?: Record<string, string | number>; scopes?: string[] };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

/** Short names upstream accepts for counted core resources → `count/<resource>` form. */
const LEGACY_COUNTS: Readonly<Record<string, string>> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/** The resource (`plural.group`, core group without suffix) a hard key counts, if it is a count. */
export function countedResource(key: string): string | undefined {
  if (key.startsWith('count/')) {
    return key.slice('count/'.length);
  }
  return LEGACY_COUNTS[key];
}

type Requests = 'requests' | 'limits';

/** A pod's effective requests or limits: max(sum of containers, each init container) + overhead. */
export function podResources(p: DeepReadonly<Pod>, which: Requests): Map<string, Quantity> {
  const containers = (p.spec?.containers ?? []).map((c) => parseResourceList(c.resources?.[which]));
  const inits = (p.spec?.initContainers ?? []).map((c) => parseResourceList(c.resources?.[which]));
  const total = maxResourceLists(addResourceLists(...containers), ...inits);
  return addResourceLists(total, parseResourceList(p.spec?.overhead));
}

/** True when a pod counts against quota: not finished (upstream's QuotaV1Pod). */
export function podCounts(p: DeepReadonly<Pod>): boolean {
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

function isBestEffort(p: DeepReadonly<Pod>): boolean {
  return [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].every((c) => Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0);
}

/** True when pod `p` is selected by all of the quota's `scopes`. */
export function podMatchesScopes(p: DeepReadonly<Pod>, scopes: readonly string[]): boolean {
  return scopes.every((s) => {
    switch (s) {
      case 'Terminating':
        return p.spec?.activeDeadlineSeconds !== undefined;
      case 'NotTerminating':
        return p.spec?.activeDeadlineSeconds === undefined;
      case 'BestEffort':
        return isBestEffort(p);
      case 'NotBestEffort':
        return !isBestEffort(p);
      default:
        return true;
    }
  });
}

/** What usage is computed from: pods, PVCs, services, and counts per `plural.group`. */
export interface UsageInputs {
  readonly pods: readonly DeepReadonly<Pod>[];
  readonly pvcs: readonly DeepReadonly<KubeObject & { spec?: { resources?: { requests?: Record<string, string> } } }>[];
  readonly services: readonly DeepReadonly<KubeObject & { spec?: { type?: string; ports?: { nodePort?: number }[] } }>[];
  /** Object count of a resource (`plural.group`), or undefined when not known. */
  count(resource: string): number | undefined;
}

/** status.used for the quota's hard keys (keys whose usage cannot be computed are left out). */
export function computeUsage(quota: DeepReadonly<ResourceQuota>, inputs: UsageInputs): Record<string, string> {
  const scopes = quota.spec?.scopes ?? [];
  const pods = inputs.pods.filter((p) => podCounts(p) && podMatchesScopes(p, scopes));
  const used: Record<string, string> = {};
  const sum = (list: readonly Map<string, Quantity>[], name: string): string => {
    let total = parseQuantity(0);
    for (const m of list) {
      const q = m.get(name);
      if (q !== undefined) {
        total = total.add(q);
      }
    }
    return String(canonicalResourceQuantity(total.toString()));
  };
  const requests = pods.map((p) => podResources(p, 'requests'));
  const limits = pods.map((p) => podResources(p, 'limits'));
  const pvcRequests = inputs.pvcs.map((c) => parseResourceList(c.spec?.resources?.requests));
  for (const key of Object.keys(quota.spec?.hard ?? {})) {
    const counted = countedResource(key);
    if (key === 'pods' || key === 'count/pods') {
      used[key] = String(pods.length);
    } else if (key === 'services.loadbalancers') {
      used[key] = String(inputs.services.filter((s) => s.spec?.type === 'LoadBalancer').length);
    } else if (key === 'services.nodeports') {
      used[key] = String(inputs.services.filter((s) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer').reduce((n, s) => n + (s.spec?.ports ?? []).filter((p) => p.nodePort !== undefined).length, 0));
    } else if (counted !== undefined) {
      const n = inputs.count(counted);
      if (n !== undefined) {
        used[key] = String(n);
      }
    } else if (key === 'cpu' || key === 'memory' || key === 'ephemeral-storage') {
      used[key] = sum(requests, key);
    } else if (key.startsWith('requests.') && key !== 'requests.storage') {
      used[key] = sum(requests, key.slice('requests.'.length));
    } else if (key.startsWith('limits.')) {
      used[key] = sum(limits, key.slice('limits.'.length));
    } else if (key === 'requests.storage') {
      used[key] = sum(pvcRequests, 'storage');
    } else if (key.endsWith('.storageclass.storage.k8s.io/persistentvolumeclaims') || key.endsWith('.storageclass.storage.k8s.io/requests.storage')) {
      const cls = key.split('.storageclass.storage.k8s.io/')[0];
      const mine = inputs.pvcs.filter((c) => (c.spec as { storageClassName?: string } | undefined)?.storageClassName === cls);
      used[key] = key.endsWith('persistentvolumeclaims') ? String(mine.length) : sum(mine.map((c) => parseResourceList(c.spec?.resources?.requests)), 'storage');
    }
  }
  return used;
}
