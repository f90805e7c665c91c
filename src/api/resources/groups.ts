/**
 * Built-in resources of the named API groups (apps, batch, autoscaling, policy, rbac,
 * networking, storage, ...), with upstream's names, short names, categories, verbs,
 * subresources and selectable fields.
 */
import type { KubeObject } from '../object.ts';
import type { ResourceDescription } from '../resource.ts';
import { describe, intField, readPath, stringField, sub } from './describe.ts';

const apps = { group: 'apps', version: 'v1' } as const;
const batch = { group: 'batch', version: 'v1' } as const;

/** apps/v1 in `kubectl get all` order: deployments, replicasets, statefulsets, daemonsets, then controllerrevisions. */
export const appsResources: readonly ResourceDescription[] = [
  describe({ ...apps, kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], status: true, scale: true, bumpsGeneration: true }),
  describe({
    ...apps, kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], status: true, scale: true, bumpsGeneration: true,
    fieldSelectors: { 'status.replicas': intField('status.replicas') },
  }),
  describe({ ...apps, kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'], status: true, scale: true, bumpsGeneration: true }),
  describe({ ...apps, kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'], status: true, bumpsGeneration: true }),
  describe({ ...apps, kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true }),
];

/** batch/v1: jobs then cronjobs (`kubectl get all` order). */
export const batchResources: readonly ResourceDescription[] = [
  describe({
    ...batch, kind: 'Job', resource: 'jobs', namespaced: true, categories: ['all'], status: true, bumpsGeneration: true,
    fieldSelectors: { 'status.successful': intField('status.succeeded') },
  }),
  describe({ ...batch, kind: 'CronJob', resource: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'], status: true, bumpsGeneration: true }),
];

const hpa = { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ['all'], status: true, bumpsGeneration: true } as const;

/** autoscaling: v2 (preferred, the storage version) and v1 (converted, see hpa-versions.ts), as upstream serves them. */
export const autoscalingResources: readonly ResourceDescription[] = [
  describe({ ...hpa, version: 'v2' }),
  describe({ ...hpa, version: 'v1' }),
];

/** Reads an events.k8s.io/v1 field, or its core/v1 twin when the object is stored core-shaped. */
function eventField(v1Path: string, corePath: string): (obj: KubeObject) => string {
  return (obj) => (readPath(obj, v1Path.split('.')[0] ?? '') !== undefined ? stringField(v1Path)(obj) : stringField(corePath)(obj));
}

const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' } as const;
const storage = { group: 'storage.k8s.io', version: 'v1' } as const;
const networking = { group: 'networking.k8s.io', version: 'v1' } as const;
const admission = { group: 'admissionregistration.k8s.io', version: 'v1' } as const;

/** The remaining groups, in upstream's /apis group order. */
export const otherGroupResources: readonly ResourceDescription[] = [
  describe({
    group: 'events.k8s.io', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
    fieldSelectors: {
      'regarding.kind': eventField('regarding.kind', 'involvedObject.kind'),
      'regarding.namespace': eventField('regarding.namespace', 'involvedObject.namespace'),
      'regarding.name': eventField('regarding.name', 'involvedObject.name'),
      'regarding.uid': eventField('regarding.uid', 'involvedObject.uid'),
      'regarding.apiVersion': eventField('regarding.apiVersion', 'involvedObject.apiVersion'),
      'regarding.resourceVersion': eventField('regarding.resourceVersion', 'involvedObject.resourceVersion'),
      'regarding.fieldPath': eventField('regarding.fieldPath', 'involvedObject.fieldPath'),
      reason: stringField('reason'),
      reportingController: eventField('reportingController', 'reportingComponent'),
      type: stringField('type'),
    },
  }),
  describe({
    group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', resource: 'certificatesigningrequests', namespaced: false, shortNames: ['csr'], status: true,
    subresources: [sub('approval', 'certificates.k8s.io', 'v1', 'CertificateSigningRequest')],
    fieldSelectors: { 'spec.signerName': stringField('spec.signerName') },
  }),
  describe({ ...networking, kind: 'IngressClass', resource: 'ingressclasses', namespaced: false, bumpsGeneration: true }),
  describe({ ...networking, kind: 'Ingress', resource: 'ingresses', namespaced: true, shortNames: ['ing'], status: true, bumpsGeneration: true, storagePrefix: 'ingress' }),
  describe({ ...networking, kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true, shortNames: ['netpol'], bumpsGeneration: true }),
  describe({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], status: true, bumpsGeneration: true }),
  describe({ ...rbac, kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false }),
  describe({ ...rbac, kind: 'ClusterRole', resource: 'clusterroles', namespaced: false }),
  describe({ ...rbac, kind: 'RoleBinding', resource: 'rolebindings', namespaced: true }),
  describe({ ...rbac, kind: 'Role', resource: 'roles', namespaced: true }),
  describe({ ...storage, kind: 'CSIDriver', resource: 'csidrivers', namespaced: false }),
  describe({ ...storage, kind: 'CSINode', resource: 'csinodes', namespaced: false }),
  describe({ ...storage, kind: 'StorageClass', resource: 'storageclasses', namespaced: false, shortNames: ['sc'] }),
  describe({ ...storage, kind: 'VolumeAttachment', resource: 'volumeattachments', namespaced: false, status: true }),
  describe({ ...admission, kind: 'MutatingWebhookConfiguration', resource: 'mutatingwebhookconfigurations', namespaced: false, categories: ['api-extensions'], bumpsGeneration: true }),
  describe({ ...admission, kind: 'ValidatingWebhookConfiguration', resource: 'validatingwebhookconfigurations', namespaced: false, categories: ['api-extensions'], bumpsGeneration: true }),
  describe({
    group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'],
    categories: ['api-extensions'], status: true, bumpsGeneration: true, storagePrefix: 'apiextensions.k8s.io/customresourcedefinitions',
  }),
  describe({ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', resource: 'priorityclasses', namespaced: false, shortNames: ['pc'] }),
  describe({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true }),
  describe({ group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', resource: 'runtimeclasses', namespaced: false }),
  describe({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true, bumpsGeneration: true }),
];
