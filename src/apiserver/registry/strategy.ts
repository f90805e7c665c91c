/**
 * Per-kind strategy (STYLE.md §6, upstream's pkg/registry/<group>/<kind>/strategy.go):
 * what create resets, what main and status writes keep from the old object, and when
 * metadata.generation moves. Data-driven: one table keyed by group/kind, generic fallbacks.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { tryParseQuantity } from '../../api/quantity.ts';
import type { Quantity } from '../../api/quantity.ts';
import { prepareCsrCreate, prepareCsrUpdate } from './csr.ts';
import type { UserInfo } from './types.ts';
import { clone } from '../../api/patch/json-values.ts';

type Obj = Record<string, unknown>;

function asRecord(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** Pod QoS class from cpu/memory requests and limits (upstream's qos.GetPodQOS, container level). */
export function podQosClass(pod: KubeObject): string {
  const spec = asRecord(pod.spec) ?? {};
  const containers = [...((spec.containers as unknown[]) ?? []), ...((spec.initContainers as unknown[]) ?? [])].map((c) => asRecord(c) ?? {});
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const add = (m: Map<string, Quantity>, r: string, q: Quantity): void => void m.set(r, m.get(r)?.add(q) ?? q);
  for (const c of containers) {
    const res = asRecord(c.resources) ?? {};
    const req = asRecord(res.requests) ?? {};
    const lim = asRecord(res.limits) ?? {};
    let limited = 0;
    for (const r of ['cpu', 'memory']) {
      const l = tryParseQuantity(lim[r]);
      const q = tryParseQuantity(req[r]) ?? l; // requests default to limits
      if (q !== undefined && !q.isZero()) {
        add(requests, r, q);
      }
      if (l !== undefined && !l.isZero()) {
        add(limits, r, l);
        limited++;
      }
    }
    if (limited < 2) {
      guaranteed = false;
    }
  }
  if (requests.size === 0 && limits.size === 0) {
    return 'BestEffort';
  }
  if (guaranteed && [...requests].every(([r, q]) => limits.get(r)?.cmp(q) === 0)) {
    return 'Guaranteed';
  }
  return 'Burstable';
}

/** Kinds whose create keeps the client's status (upstream does not reset it). */
const keepsStatusOnCreate = new Set(['/Node', 'apiextensions.k8s.io/CustomResourceDefinition']);
const CSR = 'certificates.k8s.io/CertificateSigningRequest';
/** Kinds whose status writes reset labels (upstream's apps status strategies). */
const statusResetsLabels = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet']);

function kindKey(desc: ResourceDescription): string {
  return `${desc.group}/${desc.kind}`;
}

const customResources = new WeakSet<ResourceDescription>();

/** Records that desc was built from a CRD (custom-resource strategy applies). */
export function markCustomResource(desc: ResourceDescription): void {
  customResources.add(desc);
}

/** True for resources added by a CRD. */
export function isCustomResource(desc: ResourceDescription): boolean {
  return customResources.has(desc);
}

/** Mutates obj for a create: status resets and kind-specific initial state. */
export function prepareForCreate(desc: ResourceDescription, obj: KubeObject, user?: UserInfo): void {
  const key = kindKey(desc);
  if (key === CSR) {
    prepareCsrCreate(obj, user);
    return;
  }
  if (key === '/Namespace') {
    const spec = (asRecord(obj.spec) ?? {}) as Obj;
    const finalizers = Array.isArray(spec.finalizers) ? (spec.finalizers as string[]) : [];
    if (!finalizers.includes('kubernetes')) {
      finalizers.push('kubernetes');
    }
    obj.spec = { ...spec, finalizers };
    obj.status = { phase: 'Active' };
    return;
  }
  if (!desc.hasStatus || keepsStatusOnCreate.has(key)) {
    return;
  }
  if (key === '/Pod') {
    obj.status = { phase: 'Pending', qosClass: podQosClass(obj) };
  } else if (key === '/PersistentVolume' || key === '/PersistentVolumeClaim') {
    obj.status = { phase: 'Pending' };
  } else if (key === '/Service') {
    obj.status = { loadBalancer: {} };
  } else if (isCustomResource(desc)) {
    delete obj.status; // custom resources: status only through /status
  } else {
    obj.status = {};
  }
}

/**
 * Mutates obj (the incoming write) from old: a main write keeps old status (and a namespace's
 * spec.finalizers), a status write keeps everything except status (and labels/annotations
 * where upstream lets them change).
 */
export function prepareForUpdate(desc: ResourceDescription, obj: KubeObject, old: KubeObject, subresource: string | undefined): void {
  const key = kindKey(desc);
  if (key === CSR) {
    prepareCsrUpdate(obj, old, subresource);
    return;
  }
  if (subresource === 'status') {
    const status = obj.status;
    const labels = obj.metadata.labels;
    const annotations = obj.metadata.annotations;
    for (const k of Object.keys(obj)) {
      if (k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') {
        delete obj[k];
      }
    }
    for (const [k, v] of Object.entries(old)) {
      if (k !== 'metadata' && k !== 'apiVersion' && k !== 'kind' && k !== 'status') {
        obj[k] = clone(v);
      }
    }
    if (status !== undefined) {
      obj.status = status;
    }
    const meta = clone(old.metadata);
    if (!isCustomResource(desc)) {
      if (!statusResetsLabels.has(key)) {
        setOrDelete(meta as unknown as Obj, 'labels', labels);
      }
      setOrDelete(meta as unknown as Obj, 'annotations', annotations);
    }
    meta.resourceVersion = obj.metadata.resourceVersion;
    meta.managedFields = obj.metadata.managedFields;
    obj.metadata = meta;
    return;
  }
  if (subresource === 'ephemeralcontainers' || subresource === 'resize') {
    // Only the subresource's slice of the pod changes (upstream's ephemeralContainers/resize strategies).
    const next = clone(old);
    const newSpec = asRecord(obj.spec) ?? {};
    const spec = (asRecord(next.spec) ?? {}) as Obj;
    if (subresource === 'ephemeralcontainers') {
      spec.ephemeralContainers = newSpec.ephemeralContainers;
    } else {
      const wanted = new Map(((newSpec.containers as Obj[] | undefined) ?? []).map((c) => [c.name, c]));
      spec.containers = ((spec.containers as Obj[] | undefined) ?? []).map((c) => {
        const w = wanted.get(c.name);
        return w === undefined ? c : { ...c, resources: w.resources, resizePolicy: w.resizePolicy ?? c.resizePolicy };
      });
    }
    next.spec = spec;
    next.metadata.resourceVersion = obj.metadata.resourceVersion;
    next.metadata.managedFields = obj.metadata.managedFields;
    for (const k of Object.keys(obj)) {
      delete obj[k];
    }
    Object.assign(obj, next);
    return;
  }
  if (subresource === 'binding') {
    return; // the binding mutation sets spec.nodeName and the PodScheduled condition itself
  }
  if (subresource === 'finalize' && key === '/Namespace') {
    const spec = asRecord(obj.spec) ?? {};
    const rv = obj.metadata.resourceVersion;
    const next = clone(old);
    next.spec = { ...(asRecord(old.spec) ?? {}), finalizers: spec.finalizers ?? [] };
    next.metadata.resourceVersion = rv;
    for (const k of Object.keys(obj)) {
      delete obj[k];
    }
    Object.assign(obj, next);
    return;
  }
  if (desc.hasStatus) {
    if (old.status === undefined) {
      delete obj.status;
    } else {
      obj.status = clone(old.status);
    }
  }
  if (key === '/Namespace') {
    const spec = asRecord(obj.spec) ?? {};
    obj.spec = { ...spec, finalizers: clone((asRecord(old.spec) ?? {}).finalizers ?? []) };
  }
}

function setOrDelete(meta: Obj, field: string, value: unknown): void {
  if (value === undefined) {
    delete meta[field];
  } else {
    meta[field] = value;
  }
}

/** True when a write changed what metadata.generation tracks (everything but metadata, and status when it is a subresource). */
export function specChanged(desc: ResourceDescription, obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject): Obj => {
    const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = o;
    if (desc.hasStatus) {
      delete rest.status;
    }
    return rest;
  };
  return !isDeepStrictEqual(strip(obj), strip(old));
}

/** Resources upstream lets PUT create (AllowCreateOnUpdate). */
const createOnUpdate = new Set(['/Endpoints', '/Event', 'events.k8s.io/Event', 'coordination.k8s.io/Lease', 'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding']);

/** True when an update of a missing object creates it. */
export function allowCreateOnUpdate(desc: ResourceDescription): boolean {
  return createOnUpdate.has(kindKey(desc));
}
