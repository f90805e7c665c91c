/** Per-kind validators (spec rules beyond ObjectMeta), keyed by `group/Kind`. */
import type { FieldError } from '../errors.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { validateDaemonSet, validateDeployment, validateReplicaSet, validateReplicationController, validateStatefulSet } from './apps.ts';
import { validateCronJob, validateJob } from './batch.ts';
import { validateEvent, validateHPA, validateLease, validateNamespace, validateNode, validatePDB } from './cluster.ts';
import { validateConfigMap, validateSecret } from './config.ts';
import { validateCRD } from './crd.ts';
import { validateBinding as validatePodBinding, validateEndpointSlice, validateEndpoints, validateScale, validateLimitRange, validatePriorityClass, validateResourceQuota, validateStorageClass } from './misc.ts';
import { validateIngress, validateIngressClass, validateNetworkPolicy } from './networking.ts';
import { validatePod, validatePodTemplate } from './pod.ts';
import { validateBinding, validateClusterRole, validateRole } from './rbac.ts';
import { validateService } from './service.ts';
import { validatePersistentVolume, validatePersistentVolumeClaim } from './storage.ts';

/** Validates one kind's object; `old` is set on update. */
export type KindValidator = (obj: KubeObject, old: KubeObject | undefined, gvk: GroupVersionKind) => FieldError[];

/** The kinds with rules of their own. */
export const kindValidators: Record<string, KindValidator> = {
  '/Pod': (o, old) => validatePod(o, old),
  '/PodTemplate': (o) => validatePodTemplate(o),
  '/ReplicationController': (o) => validateReplicationController(o),
  '/Service': (o, old) => validateService(o, old),
  '/ConfigMap': (o, old) => validateConfigMap(o, old),
  '/Secret': (o, old) => validateSecret(o, old),
  '/Namespace': (o) => validateNamespace(o),
  '/Node': (o, old) => validateNode(o, old),
  '/Event': (o, _old, gvk) => validateEvent(o, gvk),
  'events.k8s.io/Event': (o, _old, gvk) => validateEvent(o, gvk),
  '/PersistentVolume': (o) => validatePersistentVolume(o),
  '/PersistentVolumeClaim': (o, old) => validatePersistentVolumeClaim(o, old),
  'apps/Deployment': (o, old) => validateDeployment(o, old),
  'apps/ReplicaSet': (o, old) => validateReplicaSet(o, old),
  'apps/StatefulSet': (o, old) => validateStatefulSet(o, old),
  'apps/DaemonSet': (o, old) => validateDaemonSet(o, old),
  'batch/Job': (o, old) => validateJob(o, old),
  'batch/CronJob': (o, old) => validateCronJob(o, old),
  'coordination.k8s.io/Lease': (o) => validateLease(o),
  'policy/PodDisruptionBudget': (o) => validatePDB(o),
  'autoscaling/HorizontalPodAutoscaler': (o) => validateHPA(o),
  'rbac.authorization.k8s.io/Role': (o) => validateRole(o),
  'rbac.authorization.k8s.io/ClusterRole': (o) => validateClusterRole(o),
  'rbac.authorization.k8s.io/RoleBinding': (o, old) => validateBinding(o, old, false),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o, old) => validateBinding(o, old, true),
  'apiextensions.k8s.io/CustomResourceDefinition': (o, old) => validateCRD(o, old),
  '/Endpoints': (o) => validateEndpoints(o),
  '/Binding': (o) => validatePodBinding(o),
  'autoscaling/Scale': (o) => validateScale(o),
  '/ResourceQuota': (o) => validateResourceQuota(o),
  '/LimitRange': (o) => validateLimitRange(o),
  'discovery.k8s.io/EndpointSlice': (o, old) => validateEndpointSlice(o, old),
  'networking.k8s.io/Ingress': (o) => validateIngress(o),
  'networking.k8s.io/IngressClass': (o, old) => validateIngressClass(o, old),
  'networking.k8s.io/NetworkPolicy': (o) => validateNetworkPolicy(o),
  'storage.k8s.io/StorageClass': (o, old) => validateStorageClass(o, old),
  'scheduling.k8s.io/PriorityClass': (o, old) => validatePriorityClass(o, old),
};
