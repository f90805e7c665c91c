/**
 * Defaulting with upstream's defaults (pod restartPolicy, dnsPolicy, container
 * terminationMessagePath, deployment strategy, ...): mutates obj in place.
 *
 * Pass `old` on updates. Steps upstream only runs on create (the Namespace `kubernetes`
 * finalizer) run when `old` is absent and the object has no resourceVersion yet.
 * Pods also get what upstream's admission plugins add on create (service account,
 * priority, DefaultTolerationSeconds); these are idempotent, so running them again on
 * update changes nothing the client has not already seen.
 */
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { defaultEndpoints, defaultLimitRange, defaultNamespace, defaultNode, defaultPersistentVolume, defaultPersistentVolumeClaim, defaultPodTemplate, defaultReplicationController, defaultSecret, defaultService, patchServiceAllocatedValues } from './core.ts';
import { defaultCRD, defaultHPA, defaultHPAv1, defaultNetworkPolicy, defaultRoleBinding } from './other.ts';
import { defaultPod } from './pod.ts';
import type { Obj } from './util.ts';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultStatefulSet } from './workloads.ts';

export { addServiceAccountTokenVolume, admitPod, defaultPod, defaultPodSpec, defaultPodTemplateSpec, defaultPullPolicy, ServiceAccountMountPath } from './pod.ts';
export { generateJobSelector } from './workloads.ts';
export { patchServiceAllocatedValues } from './core.ts';

type Defaulter = (obj: Obj, isCreate: boolean, old: Obj | undefined) => void;

const byGroupKind: Record<string, Defaulter> = {
  '/Pod': (o) => defaultPod(o),
  '/PodTemplate': (o) => defaultPodTemplate(o),
  '/ReplicationController': (o) => defaultReplicationController(o),
  '/Service': (o, _isCreate, old) => {
    if (old !== undefined) {
      patchServiceAllocatedValues(o, old);
    }
    defaultService(o);
  },
  '/Namespace': (o, isCreate) => {
    if (isCreate) {
      defaultNamespace(o);
    } else {
      // Only the name label is a true default; the finalizer and phase are create-time.
      const meta = o.metadata as Obj | undefined;
      if (meta !== undefined && typeof meta.name === 'string' && meta.name !== '') {
        const labels = (meta.labels ?? {}) as Obj;
        labels['kubernetes.io/metadata.name'] = meta.name;
        meta.labels = labels;
      }
    }
  },
  '/Secret': (o) => defaultSecret(o),
  '/PersistentVolume': (o) => defaultPersistentVolume(o),
  '/PersistentVolumeClaim': (o) => defaultPersistentVolumeClaim(o),
  '/Node': (o) => defaultNode(o),
  '/Endpoints': (o) => defaultEndpoints(o),
  '/LimitRange': (o) => defaultLimitRange(o),
  'apps/Deployment': (o) => defaultDeployment(o),
  'apps/ReplicaSet': (o) => defaultReplicaSet(o),
  'apps/StatefulSet': (o) => defaultStatefulSet(o),
  'apps/DaemonSet': (o) => defaultDaemonSet(o),
  'batch/Job': (o) => defaultJob(o),
  'batch/CronJob': (o) => defaultCronJob(o),
  'rbac.authorization.k8s.io/RoleBinding': (o) => defaultRoleBinding(o),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o) => defaultRoleBinding(o),
  'networking.k8s.io/NetworkPolicy': (o) => defaultNetworkPolicy(o),
  'apiextensions.k8s.io/CustomResourceDefinition': (o) => defaultCRD(o),
};

/** Applies upstream's defaults for gvk to obj in place; unknown kinds are left alone. */
export function applyDefaults(gvk: GroupVersionKind, obj: KubeObject, old?: KubeObject): void {
  const isCreate = old === undefined && (obj.metadata?.resourceVersion ?? '') === '';
  if (gvk.group === 'autoscaling' && gvk.kind === 'HorizontalPodAutoscaler') {
    (gvk.version === 'v1' ? defaultHPAv1 : defaultHPA)(obj);
    return;
  }
  byGroupKind[`${gvk.group}/${gvk.kind}`]?.(obj, isCreate, old);
}
