/** core/v1 defaults other than pods: Service, Namespace, Secret, PV/PVC, Node, RC, Endpoints. */
import { canonicalResourceQuantity } from '../quantity.ts';
import { defaultPodTemplateSpec } from './pod.ts';
import { ensureObj, objAt, objsAt, setDefault } from './util.ts';
import type { Obj } from './util.ts';

/**
 * SetDefaults_Service plus the ipFamilies/ipFamilyPolicy the registry would fill on a
 * single-stack IPv4 cluster. clusterIP allocation is the registry's job, not this one;
 * clusterIP and clusterIPs are only kept consistent with each other here.
 */
export function defaultService(svc: Obj): void {
  const spec = ensureObj(svc, 'spec');
  setDefault(spec, 'sessionAffinity', 'None');
  setDefault(spec, 'type', 'ClusterIP');
  for (const port of objsAt(spec, 'ports')) {
    setDefault(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') {
      port.targetPort = port.port;
    }
  }
  const type = spec.type;
  const externallyAccessible = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible) {
    setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  }
  if (type !== 'ExternalName') {
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  }
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null) {
    spec.allocateLoadBalancerNodePorts = true;
  }
  if (spec.sessionAffinity === 'None') {
    delete spec.sessionAffinityConfig;
  } else if (spec.sessionAffinity === 'ClientIP') {
    const timeout = objAt(objAt(spec, 'sessionAffinityConfig') ?? {}, 'clientIP')?.timeoutSeconds;
    if (timeout === undefined || timeout === null) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
    }
  }
  if (type !== 'ExternalName') {
    const clusterIP = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
    const clusterIPs = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
    if (clusterIP !== '' && clusterIPs.length === 0) {
      spec.clusterIPs = [clusterIP];
    } else if (clusterIP === '' && typeof clusterIPs[0] === 'string') {
      spec.clusterIP = clusterIPs[0];
    }
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
      const first = typeof spec.clusterIP === 'string' && spec.clusterIP.includes(':') ? 'IPv6' : 'IPv4';
      spec.ipFamilies = [first];
    }
  }
}

/** Namespace: the name label (SetDefaults_Namespace), the `kubernetes` finalizer, phase Active. */
export function defaultNamespace(ns: Obj): void {
  const metadata = ensureObj(ns, 'metadata');
  if (typeof metadata.name === 'string' && metadata.name !== '') {
    ensureObj(metadata, 'labels')['kubernetes.io/metadata.name'] = metadata.name;
  }
  const spec = ensureObj(ns, 'spec');
  if (!Array.isArray(spec.finalizers)) {
    spec.finalizers = ['kubernetes'];
  }
  setDefault(ensureObj(ns, 'status'), 'phase', 'Active');
}

/**
 * Secret: type Opaque, and `stringData` merged into `data` (base64) and dropped, as
 * upstream's v1 conversion does, so stored and returned Secrets never carry stringData.
 */
export function defaultSecret(secret: Obj): void {
  setDefault(secret, 'type', 'Opaque');
  const stringData = objAt(secret, 'stringData');
  if (stringData !== undefined) {
    const data = ensureObj(secret, 'data');
    for (const [k, v] of Object.entries(stringData)) {
      data[k] = Buffer.from(typeof v === 'string' ? v : String(v), 'utf8').toString('base64');
    }
  }
  delete secret.stringData;
}

/**
 * On update, values the registry allocated and the client left out (clusterIP(s), nodePorts,
 * healthCheckNodePort) are carried over from the stored Service, like upstream's
 * patchAllocatedValues, so `kubectl apply` without them is not an immutable-field error.
 */
export function patchServiceAllocatedValues(svc: Obj, old: Obj): void {
  const spec = ensureObj(svc, 'spec');
  const oldSpec = objAt(old, 'spec') ?? {};
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') {
    return;
  }
  if ((spec.clusterIP === undefined || spec.clusterIP === '') && typeof oldSpec.clusterIP === 'string' && oldSpec.clusterIP !== '') {
    spec.clusterIP = oldSpec.clusterIP;
    if (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) {
      spec.clusterIPs = Array.isArray(oldSpec.clusterIPs) ? [...(oldSpec.clusterIPs as unknown[])] : [oldSpec.clusterIP];
    }
  }
  const needsNodePorts = (t: unknown): boolean => t === 'NodePort' || t === 'LoadBalancer';
  if (needsNodePorts(spec.type) && needsNodePorts(oldSpec.type)) {
    const oldPorts = objsAt(oldSpec, 'ports');
    for (const port of objsAt(spec, 'ports')) {
      if (port.nodePort !== undefined && port.nodePort !== 0) {
        continue;
      }
      const match = oldPorts.find((o) => o.port === port.port && (o.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
      if (match !== undefined && typeof match.nodePort === 'number') {
        port.nodePort = match.nodePort;
      }
    }
  }
  if ((spec.healthCheckNodePort === undefined || spec.healthCheckNodePort === 0) && typeof oldSpec.healthCheckNodePort === 'number' && spec.externalTrafficPolicy === 'Local') {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

/** PersistentVolumeClaimSpec: volumeMode Filesystem, canonical quantities. */
export function defaultPersistentVolumeClaimSpec(spec: Obj): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
  const resources = objAt(spec, 'resources');
  for (const key of ['requests', 'limits']) {
    const list = resources === undefined ? undefined : objAt(resources, key);
    for (const [k, v] of Object.entries(list ?? {})) {
      list![k] = canonicalResourceQuantity(v);
    }
  }
}

/** PVC: spec defaults and status.phase Pending. */
export function defaultPersistentVolumeClaim(pvc: Obj): void {
  defaultPersistentVolumeClaimSpec(ensureObj(pvc, 'spec'));
  setDefault(ensureObj(pvc, 'status'), 'phase', 'Pending');
}

/** PV: reclaim policy Retain, volumeMode Filesystem, status.phase Pending, hostPath type "". */
export function defaultPersistentVolume(pv: Obj): void {
  const spec = ensureObj(pv, 'spec');
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  const hostPath = objAt(spec, 'hostPath');
  if (hostPath !== undefined && hostPath.type === undefined) {
    hostPath.type = '';
  }
  const capacity = objAt(spec, 'capacity');
  for (const [k, v] of Object.entries(capacity ?? {})) {
    capacity![k] = canonicalResourceQuantity(v);
  }
  setDefault(ensureObj(pv, 'status'), 'phase', 'Pending');
}

/** Node: allocatable defaults to capacity (SetDefaults_NodeStatus). */
export function defaultNode(node: Obj): void {
  const status = objAt(node, 'status');
  if (status === undefined) {
    return;
  }
  const capacity = objAt(status, 'capacity');
  if (capacity !== undefined) {
    for (const [k, v] of Object.entries(capacity)) {
      capacity[k] = canonicalResourceQuantity(v);
    }
    if (status.allocatable === undefined || status.allocatable === null) {
      status.allocatable = { ...capacity };
    }
  }
}

/** ReplicationController: selector and labels from the template, replicas 1. */
export function defaultReplicationController(rc: Obj): void {
  const spec = ensureObj(rc, 'spec');
  const template = objAt(spec, 'template');
  const labels = objAt(objAt(template ?? {}, 'metadata') ?? {}, 'labels');
  if (labels !== undefined) {
    const selector = objAt(spec, 'selector');
    if (selector === undefined || Object.keys(selector).length === 0) {
      spec.selector = { ...labels };
    }
    const metadata = ensureObj(rc, 'metadata');
    const own = objAt(metadata, 'labels');
    if (own === undefined || Object.keys(own).length === 0) {
      metadata.labels = { ...labels };
    }
  }
  setDefault(spec, 'replicas', 1);
  defaultPodTemplateSpec(template);
}

/** PodTemplate: the template's pod defaults. */
export function defaultPodTemplate(pt: Obj): void {
  defaultPodTemplateSpec(objAt(pt, 'template'));
}

/** Endpoints: port protocol TCP. */
export function defaultEndpoints(ep: Obj): void {
  for (const subset of objsAt(ep, 'subsets')) {
    for (const port of objsAt(subset, 'ports')) {
      setDefault(port, 'protocol', 'TCP');
    }
  }
}

/** LimitRange Container items: default limit from max, default request from default then min. */
export function defaultLimitRange(lr: Obj): void {
  for (const item of objsAt(objAt(lr, 'spec'), 'limits')) {
    if (item.type !== 'Container') {
      continue;
    }
    const def = ensureObj(item, 'default');
    const defReq = ensureObj(item, 'defaultRequest');
    for (const [k, v] of Object.entries(objAt(item, 'max') ?? {})) {
      if (def[k] === undefined) {
        def[k] = v;
      }
    }
    for (const [k, v] of Object.entries(def)) {
      if (defReq[k] === undefined) {
        defReq[k] = v;
      }
    }
    for (const [k, v] of Object.entries(objAt(item, 'min') ?? {})) {
      if (defReq[k] === undefined) {
        defReq[k] = v;
      }
    }
  }
}
