/**
 * Core (group "") v1 resources, with upstream's names, short names, categories, verbs,
 * subresources, selectable fields (pkg/registry/core/<r>/strategy.go GetAttrs) and the
 * etcd key segments upstream uses where they differ from the resource name.
 */
import type { KubeObject } from '../object.ts';
import type { ResourceDescription } from '../resource.ts';
import { allVerbs, boolField, describe, intField, readPath, stringField, sub, verbsNoDeleteCollection } from './describe.ts';

const core = { group: '', version: 'v1' } as const;
const connectVerbs = ['create', 'delete', 'get', 'patch', 'update'] as const;

function podIP(obj: KubeObject): string {
  const ips = readPath(obj, 'status.podIPs');
  if (Array.isArray(ips) && ips.length > 0) {
    const first: unknown = ips[0];
    if (first !== null && typeof first === 'object' && typeof (first as { ip?: unknown }).ip === 'string') {
      return (first as { ip: string }).ip;
    }
  }
  return stringField('status.podIP')(obj);
}

/** pods, with every kubelet-facing subresource and graceful deletion. */
export const pods: ResourceDescription = describe({
  ...core, kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], status: true,
  subresources: [
    sub('attach', '', 'v1', 'PodAttachOptions', ['create', 'get']),
    sub('binding', '', 'v1', 'Binding', ['create']),
    sub('ephemeralcontainers', '', 'v1', 'Pod'),
    sub('eviction', 'policy', 'v1', 'Eviction', ['create']),
    sub('exec', '', 'v1', 'PodExecOptions', ['create', 'get']),
    sub('log', '', 'v1', 'Pod', ['get']),
    sub('portforward', '', 'v1', 'PodPortForwardOptions', ['create', 'get']),
    sub('proxy', '', 'v1', 'PodProxyOptions', connectVerbs),
    sub('resize', '', 'v1', 'Pod'),
  ],
  fieldSelectors: {
    'spec.nodeName': stringField('spec.nodeName'),
    'spec.restartPolicy': stringField('spec.restartPolicy'),
    'spec.schedulerName': stringField('spec.schedulerName'),
    'spec.serviceAccountName': stringField('spec.serviceAccountName'),
    'spec.hostNetwork': boolField('spec.hostNetwork'),
    'status.phase': stringField('status.phase'),
    'status.podIP': podIP,
    'status.nominatedNodeName': stringField('status.nominatedNodeName'),
  },
  // Pods track metadata.generation since PodObservedGenerationTracking (1.33+, on by default).
  bumpsGeneration: true,
  gracefulDeletion: true,
});

export const services: ResourceDescription = describe({
  ...core, kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], status: true,
  subresources: [sub('proxy', '', 'v1', 'ServiceProxyOptions', connectVerbs)],
  fieldSelectors: { 'spec.clusterIP': stringField('spec.clusterIP'), 'spec.type': stringField('spec.type') },
  storagePrefix: 'services/specs',
});

export const replicationControllers: ResourceDescription = describe({
  ...core, kind: 'ReplicationController', resource: 'replicationcontrollers', namespaced: true, shortNames: ['rc'], categories: ['all'],
  status: true, scale: true, fieldSelectors: { 'status.replicas': intField('status.replicas') }, bumpsGeneration: true, storagePrefix: 'controllers',
});

/** The rest of core/v1, alphabetical as upstream's discovery lists them. */
export const coreRest: readonly ResourceDescription[] = [
  describe({ ...core, kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  describe({ ...core, kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'], storagePrefix: 'services/endpoints' }),
  describe({
    ...core, kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
    fieldSelectors: {
      'involvedObject.kind': stringField('involvedObject.kind'),
      'involvedObject.namespace': stringField('involvedObject.namespace'),
      'involvedObject.name': stringField('involvedObject.name'),
      'involvedObject.uid': stringField('involvedObject.uid'),
      'involvedObject.apiVersion': stringField('involvedObject.apiVersion'),
      'involvedObject.resourceVersion': stringField('involvedObject.resourceVersion'),
      'involvedObject.fieldPath': stringField('involvedObject.fieldPath'),
      reason: stringField('reason'),
      reportingComponent: stringField('reportingComponent'),
      // Upstream falls back to the reporting controller when source.component is empty.
      source: (o) => stringField('source.component')(o) || stringField('reportingComponent')(o),
      type: stringField('type'),
    },
  }),
  describe({ ...core, kind: 'LimitRange', resource: 'limitranges', namespaced: true, shortNames: ['limits'] }),
  describe({
    ...core, kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'], verbs: verbsNoDeleteCollection, status: true,
    subresources: [sub('finalize', '', 'v1', 'Namespace', ['update'])],
    fieldSelectors: { 'status.phase': stringField('status.phase') },
  }),
  describe({
    ...core, kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], status: true,
    subresources: [sub('proxy', '', 'v1', 'NodeProxyOptions', connectVerbs)],
    fieldSelectors: { 'spec.unschedulable': boolField('spec.unschedulable') },
    storagePrefix: 'minions',
  }),
  describe({ ...core, kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], status: true }),
  describe({ ...core, kind: 'PersistentVolume', resource: 'persistentvolumes', namespaced: false, shortNames: ['pv'], status: true }),
  describe({ ...core, kind: 'PodTemplate', resource: 'podtemplates', namespaced: true }),
  describe({ ...core, kind: 'ResourceQuota', resource: 'resourcequotas', namespaced: true, shortNames: ['quota'], status: true }),
  describe({ ...core, kind: 'Secret', resource: 'secrets', namespaced: true, fieldSelectors: { type: stringField('type') } }),
  describe({
    ...core, kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'],
    subresources: [sub('token', 'authentication.k8s.io', 'v1', 'TokenRequest', ['create'])],
  }),
];

export { allVerbs };
