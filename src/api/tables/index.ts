/**
 * Server-side Table output (meta.k8s.io/v1 Table): columns and cells per resource, as
 * upstream's printers produce them. The server always sends every column (wide ones
 * included, priority 1); kubectl hides priority-1 columns unless `-o wide`.
 * Resources without a printer get upstream's default NAME / CREATED AT.
 */
import type { KubeObject } from '../object.ts';
import { clusterRoleBindingTable, csiDriverTable, csiNodeTable, csrTable, endpointSliceTable, ingressClassTable, ingressTable, leaseTable, networkPolicyTable, priorityClassTable, roleBindingTable, runtimeClassTable, storageClassTable, volumeAttachmentTable, webhookConfigurationTable } from './cluster.ts';
import { configMapTable, endpointsTable, eventsV1Table, eventTable, namespaceTable, nodeTable, persistentVolumeClaimTable, persistentVolumeTable, resourceQuotaTable, secretTable, serviceAccountTable, serviceTable } from './core.ts';
import { col, creationTimestampDescription, nameColumn } from './format.ts';
import { podTable } from './pods.ts';
import type { TableConvertor } from './types.ts';
import { controllerRevisionTable, cronJobTable, daemonSetTable, deploymentTable, hpaTable, jobTable, pdbTable, podTemplateTable, replicaSetTable, replicationControllerTable, statefulSetTable } from './workloads.ts';

export type { TableColumnDefinition, TableConvertor } from './types.ts';
export { humanDuration } from './format.ts';
export { crdTableConvertor, customResourceTableConvertor } from './custom.ts';
export type { PrinterColumn } from './custom.ts';

/** RFC 3339 in UTC without fractions, as metav1.Time marshals. */
function rfc3339(v: unknown): string {
  if (typeof v !== 'string' || v === '') {
    return '';
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? v : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Upstream's DefaultTableConvertor: NAME and CREATED AT (a date column holding the timestamp). */
export const defaultTableConvertor: TableConvertor = {
  columns: [nameColumn, col('Created At', 'date', creationTimestampDescription)],
  cells: (obj: KubeObject) => [obj.metadata.name ?? '', rfc3339(obj.metadata.creationTimestamp)],
};

const builtin: ReadonlyMap<string, TableConvertor> = new Map<string, TableConvertor>([
  ['/pods', podTable],
  ['/podtemplates', podTemplateTable],
  ['/replicationcontrollers', replicationControllerTable],
  ['/services', serviceTable],
  ['/endpoints', endpointsTable],
  ['/nodes', nodeTable],
  ['/events', eventTable],
  ['/namespaces', namespaceTable],
  ['/secrets', secretTable],
  ['/configmaps', configMapTable],
  ['/serviceaccounts', serviceAccountTable],
  ['/persistentvolumes', persistentVolumeTable],
  ['/persistentvolumeclaims', persistentVolumeClaimTable],
  ['/resourcequotas', resourceQuotaTable],
  ['apps/deployments', deploymentTable],
  ['apps/replicasets', replicaSetTable],
  ['apps/statefulsets', statefulSetTable],
  ['apps/daemonsets', daemonSetTable],
  ['apps/controllerrevisions', controllerRevisionTable],
  ['batch/jobs', jobTable],
  ['batch/cronjobs', cronJobTable],
  ['autoscaling/horizontalpodautoscalers', hpaTable],
  ['policy/poddisruptionbudgets', pdbTable],
  ['events.k8s.io/events', eventsV1Table],
  ['networking.k8s.io/ingresses', ingressTable],
  ['networking.k8s.io/ingressclasses', ingressClassTable],
  ['networking.k8s.io/networkpolicies', networkPolicyTable],
  ['rbac.authorization.k8s.io/rolebindings', roleBindingTable],
  ['rbac.authorization.k8s.io/clusterrolebindings', clusterRoleBindingTable],
  ['certificates.k8s.io/certificatesigningrequests', csrTable],
  ['coordination.k8s.io/leases', leaseTable],
  ['storage.k8s.io/storageclasses', storageClassTable],
  ['storage.k8s.io/volumeattachments', volumeAttachmentTable],
  ['storage.k8s.io/csinodes', csiNodeTable],
  ['storage.k8s.io/csidrivers', csiDriverTable],
  ['scheduling.k8s.io/priorityclasses', priorityClassTable],
  ['node.k8s.io/runtimeclasses', runtimeClassTable],
  ['discovery.k8s.io/endpointslices', endpointSliceTable],
  ['admissionregistration.k8s.io/mutatingwebhookconfigurations', webhookConfigurationTable],
  ['admissionregistration.k8s.io/validatingwebhookconfigurations', webhookConfigurationTable],
]);

/** Convertors registered at runtime (CRDs), keyed `group/resource/version`. */
const registered = new Map<string, TableConvertor>();

/**
 * Serves `group`/`resource` (`version`) with `convertor` from now on, e.g. a custom resource:
 * `registerTableConvertor(group, plural, version, crdTableConvertor(crd, version))`.
 */
export function registerTableConvertor(group: string, resource: string, version: string, convertor: TableConvertor): void {
  registered.set(`${group}/${resource}/${version}`, convertor);
}

/** Forgets every registered convertor of `group`/`resource` (CRD deleted). */
export function unregisterTableConvertors(group: string, resource: string): void {
  for (const key of [...registered.keys()]) {
    if (key.startsWith(`${group}/${resource}/`)) {
      registered.delete(key);
    }
  }
}

/** The table convertor for a resource (`group`, plural `resource`, optionally its served `version`). */
export function tableConvertorFor(group: string, resource: string, version?: string): TableConvertor {
  if (version !== undefined) {
    const exact = registered.get(`${group}/${resource}/${version}`);
    if (exact !== undefined) {
      return exact;
    }
  }
  for (const [key, convertor] of registered) {
    if (key.startsWith(`${group}/${resource}/`)) {
      return convertor;
    }
  }
  return builtin.get(`${group}/${resource}`) ?? defaultTableConvertor;
}
