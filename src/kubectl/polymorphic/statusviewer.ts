/**
 * Upstream's rollout status viewers for Deployments, DaemonSets and StatefulSets: pure functions
 * from an object (and an optional pinned revision) to the line kubectl prints and whether the
 * rollout is done. Errors carry upstream's text.
 */
import type { KubeObject } from '../../api/object.ts';

/** The result of one look at an object. */
export interface RolloutStatus {
  readonly message: string;
  readonly done: boolean;
}

interface Workload extends KubeObject {
  readonly spec?: {
    readonly replicas?: number;
    readonly updateStrategy?: { readonly type?: string; readonly rollingUpdate?: { readonly partition?: number } };
  };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly availableReplicas?: number;
    readonly readyReplicas?: number;
    readonly currentReplicas?: number;
    readonly updateRevision?: string;
    readonly currentRevision?: string;
    readonly updatedNumberScheduled?: number;
    readonly desiredNumberScheduled?: number;
    readonly numberAvailable?: number;
    readonly conditions?: readonly { readonly type: string; readonly reason?: string }[];
  };
}

/** `deployment.kubernetes.io/revision`: the revision number on Deployments and their ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

function deploymentStatus(d: Workload, revision: number): RolloutStatus {
  const name = d.metadata.name ?? '';
  if (revision > 0) {
    const raw = d.metadata.annotations?.[REVISION_ANNOTATION] ?? '0';
    const current = Number(raw);
    if (!Number.isInteger(current)) {
      throw new Error(`cannot get the revision of deployment "${name}": strconv.ParseInt: parsing "${raw}": invalid syntax`);
    }
    if (revision !== current) {
      throw new Error(`desired revision (${revision}) is different from the running revision (${current})`);
    }
  }
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) <= (s.observedGeneration ?? 0)) {
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      throw new Error(`deployment "${name}" exceeded its progress deadline`);
    }
    const want = d.spec?.replicas;
    const updated = s.updatedReplicas ?? 0;
    if (want !== undefined && updated < want) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...\n`, done: false };
    }
    if ((s.replicas ?? 0) > updated) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination...\n`, done: false };
    }
    if ((s.availableReplicas ?? 0) < updated) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas ?? 0} of ${updated} updated replicas are available...\n`, done: false };
    }
    return { message: `deployment "${name}" successfully rolled out\n`, done: true };
  }
  return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
}

function daemonSetStatus(ds: Workload): RolloutStatus {
  const name = ds.metadata.name ?? '';
  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    throw new Error('rollout status is only available for RollingUpdate strategy type');
  }
  const s = ds.status ?? {};
  if ((ds.metadata.generation ?? 0) <= (s.observedGeneration ?? 0)) {
    const desired = s.desiredNumberScheduled ?? 0;
    if ((s.updatedNumberScheduled ?? 0) < desired) {
      return { message: `Waiting for daemon set "${name}" rollout to finish: ${s.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...\n`, done: false };
    }
    if ((s.numberAvailable ?? 0) < desired) {
      return { message: `Waiting for daemon set "${name}" rollout to finish: ${s.numberAvailable ?? 0} of ${desired} updated pods are available...\n`, done: false };
    }
    return { message: `daemon set "${name}" successfully rolled out\n`, done: true };
  }
  return { message: 'Waiting for daemon set spec update to be observed...\n', done: false };
}

function statefulSetStatus(sts: Workload): RolloutStatus {
  const strategy = sts.spec?.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    throw new Error('rollout status is only available for RollingUpdate strategy type');
  }
  const s = sts.status ?? {};
  if ((s.observedGeneration ?? 0) === 0 || (sts.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return { message: 'Waiting for statefulset spec update to be observed...\n', done: false };
  }
  const want = sts.spec?.replicas;
  if (want !== undefined && (s.readyReplicas ?? 0) < want) {
    return { message: `Waiting for ${want - (s.readyReplicas ?? 0)} pods to be ready...\n`, done: false };
  }
  if (strategy?.rollingUpdate !== undefined) {
    const partition = strategy.rollingUpdate.partition;
    if (want !== undefined && partition !== undefined && (s.updatedReplicas ?? 0) < want - partition) {
      return { message: `Waiting for partitioned roll out to finish: ${s.updatedReplicas ?? 0} out of ${want - partition} new pods have been updated...\n`, done: false };
    }
    return { message: `partitioned roll out complete: ${s.updatedReplicas ?? 0} new pods have been updated...\n`, done: true };
  }
  if (s.updateRevision !== s.currentRevision) {
    return { message: `waiting for statefulset rolling update to complete ${s.updatedReplicas ?? 0} pods at revision ${s.updateRevision ?? ''}...\n`, done: false };
  }
  return { message: `statefulset rolling update complete ${s.currentReplicas ?? 0} pods at revision ${s.currentRevision ?? ''}...\n`, done: true };
}

/** The status viewer for a group/kind, or upstream's "no status viewer" error. */
export function statusViewerFor(group: string, kind: string): (obj: KubeObject, revision: number) => RolloutStatus {
  if (group === 'apps' && kind === 'Deployment') {
    return (o, r) => deploymentStatus(o as Workload, r);
  }
  if (group === 'apps' && kind === 'DaemonSet') {
    return (o) => daemonSetStatus(o as Workload);
  }
  if (group === 'apps' && kind === 'StatefulSet') {
    return (o) => statefulSetStatus(o as Workload);
  }
  throw new Error(`no status viewer has been implemented for ${group === '' ? kind : `${kind}.${group}`}`);
}
