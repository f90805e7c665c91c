/** Per-kind validators (spec rules beyond ObjectMeta), keyed by `group/Kind`. */
import type { FieldError } from '../errors.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { validateDaemonSet, validateDeployment, validateReplicaSet, validateReplicationController, validateStatefulSet } from './apps.ts';
import { validateCronJob, validateJob } from './batch.ts';
import { validatePod, validatePodTemplate } from './pod.ts';

/** Validates one kind's object; `old` is set on update. */
export type KindValidator = (obj: KubeObject, old: KubeObject | undefined, gvk: GroupVersionKind) => FieldError[];

/** The kinds with rules of their own. */
export const kindValidators: Record<string, KindValidator> = {
  '/Pod': (o, old) => validatePod(o, old),
  '/PodTemplate': (o) => validatePodTemplate(o),
  '/ReplicationController': (o) => validateReplicationController(o),
  'apps/Deployment': (o, old) => validateDeployment(o, old),
  'apps/ReplicaSet': (o, old) => validateReplicaSet(o, old),
  'apps/StatefulSet': (o, old) => validateStatefulSet(o, old),
  'apps/DaemonSet': (o, old) => validateDaemonSet(o, old),
  'batch/Job': (o, old) => validateJob(o, old),
  'batch/CronJob': (o, old) => validateCronJob(o, old),
};
