/** Workload defaults: apps/v1 (Deployment, ReplicaSet, StatefulSet, DaemonSet), batch/v1 (Job, CronJob). */
import { defaultPodTemplateSpec } from './pod.ts';
import { defaultPersistentVolumeClaimSpec } from './core.ts';
import { ensureObj, objAt, objsAt, setDefault } from './util.ts';
import type { Obj } from './util.ts';

/** SetDefaults_Deployment (apps/v1). */
export function defaultDeployment(d: Obj): void {
  const spec = ensureObj(d, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObj(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(objAt(spec, 'template'));
}

/** SetDefaults_ReplicaSet (apps/v1). */
export function defaultReplicaSet(rs: Obj): void {
  const spec = ensureObj(rs, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplateSpec(objAt(spec, 'template'));
}

/** SetDefaults_StatefulSet (apps/v1), including its volumeClaimTemplates. */
export function defaultStatefulSet(sts: Obj): void {
  const spec = ensureObj(sts, 'spec');
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureObj(spec, 'updateStrategy');
  // Upstream only creates rollingUpdate when it also defaults the type.
  if (strategy.type === undefined || strategy.type === '') {
    strategy.type = 'RollingUpdate';
    ensureObj(strategy, 'rollingUpdate');
  }
  const ru = objAt(strategy, 'rollingUpdate');
  if (strategy.type === 'RollingUpdate' && ru !== undefined) {
    setDefault(ru, 'partition', 0);
    // MaxUnavailableStatefulSet is beta (on by default) in 1.35.
    setDefault(ru, 'maxUnavailable', 1);
  }
  const retention = ensureObj(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(objAt(spec, 'template'));
  for (const pvc of objsAt(spec, 'volumeClaimTemplates')) {
    setDefault(pvc, 'apiVersion', 'v1');
    setDefault(pvc, 'kind', 'PersistentVolumeClaim');
    defaultPersistentVolumeClaimSpec(ensureObj(pvc, 'spec'));
    setDefault(ensureObj(pvc, 'status'), 'phase', 'Pending');
  }
}

/** SetDefaults_DaemonSet (apps/v1). */
export function defaultDaemonSet(ds: Obj): void {
  const spec = ensureObj(ds, 'spec');
  const strategy = ensureObj(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(objAt(spec, 'template'));
}

/** SetDefaults_Job (batch/v1); the generated selector needs the uid (see generateJobSelector). */
export function defaultJob(job: Obj): void {
  const spec = ensureObj(job, 'spec');
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  if (spec.backoffLimit == null) {
    spec.backoffLimit = spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  }
  // The generated template labels come first: upstream stores the Job and defaults it again
  // when reading it back, so the Job's own labels end up copied from the generated ones.
  generateJobSelector(job);
  const template = objAt(spec, 'template');
  const templateLabels = objAt(objAt(template ?? {}, 'metadata') ?? {}, 'labels');
  const metadata = ensureObj(job, 'metadata');
  const ownLabels = objAt(metadata, 'labels');
  if (templateLabels !== undefined && (ownLabels === undefined || Object.keys(ownLabels).length === 0)) {
    metadata.labels = { ...templateLabels };
  }
  setDefault(spec, 'completionMode', 'NonIndexed');
  if (spec.suspend == null) {
    spec.suspend = false;
  }
  const podFailurePolicy = objAt(spec, 'podFailurePolicy');
  for (const rule of objsAt(podFailurePolicy, 'rules')) {
    for (const cond of objsAt(rule, 'onPodConditions')) {
      setDefault(cond, 'status', 'True');
    }
  }
  setDefault(spec, 'podReplacementPolicy', podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplateSpec(template);
}

/**
 * What the Job strategy does on create when manualSelector is not true: label the pod
 * template with the job name and uid and select on `batch.kubernetes.io/controller-uid`.
 * Needs metadata.uid; without it (uid not assigned yet) nothing happens. Idempotent.
 */
export function generateJobSelector(job: Obj): void {
  const spec = ensureObj(job, 'spec');
  const metadata = ensureObj(job, 'metadata');
  const uid = typeof metadata.uid === 'string' ? metadata.uid : '';
  if (spec.manualSelector === true || uid === '') {
    return;
  }
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const templateMeta = ensureObj(ensureObj(spec, 'template'), 'metadata');
  const labels = ensureObj(templateMeta, 'labels');
  for (const k of ['job-name', 'batch.kubernetes.io/job-name']) {
    if (labels[k] === undefined) {
      labels[k] = name;
    }
  }
  for (const k of ['controller-uid', 'batch.kubernetes.io/controller-uid']) {
    if (labels[k] === undefined) {
      labels[k] = uid;
    }
  }
  const selector = ensureObj(spec, 'selector');
  const matchLabels = ensureObj(selector, 'matchLabels');
  if (matchLabels['batch.kubernetes.io/controller-uid'] === undefined) {
    matchLabels['batch.kubernetes.io/controller-uid'] = uid;
  }
}

/** SetDefaults_CronJob (batch/v1); the job template gets pod-template defaults only. */
export function defaultCronJob(cj: Obj): void {
  const spec = ensureObj(cj, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  if (spec.suspend == null) {
    spec.suspend = false;
  }
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = objAt(objAt(spec, 'jobTemplate') ?? {}, 'spec');
  if (jobSpec !== undefined) {
    defaultPodTemplateSpec(objAt(jobSpec, 'template'));
  }
}
