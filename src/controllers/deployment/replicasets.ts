/**
 * Finding and creating a Deployment's replica sets (upstream's getAllReplicaSetsAndSyncRevision,
 * getNewReplicaSet, scaleReplicaSet): the new set is the one whose template equals the
 * Deployment's ignoring `pod-template-hash`; it carries revision = max old revision + 1.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isAlreadyExists } from '../../api/errors.ts';
import { EventType } from '../../client/index.ts';
import type { EventRecorder, RestClient } from '../../client/index.ts';
import { R } from '../manager/kit.ts';
import { byCreation, computeHash, DESIRED_REPLICAS_ANNOTATION, equalIgnoreHash, MAX_REPLICAS_ANNOTATION, maxRevision, maxSurge, newCondition, POD_TEMPLATE_HASH, Reason, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, setCondition } from './util.ts';
import type { Deployment, ReplicaSet } from './util.ts';

type RoD = DeepReadonly<Deployment>;
type RoRS = DeepReadonly<ReplicaSet>;

/** Annotations a replica set never copies from its deployment. */
const skipCopy = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, 'deprecated.deployment.rollback.to']);

/** The set whose template matches the deployment's (oldest first when several do). */
export function findNewReplicaSet(d: RoD, rss: readonly RoRS[]): RoRS | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/**
 * Sets revision (and revision history), copies the deployment's annotations, and the
 * desired/max replica annotations onto `rs`; true when anything changed.
 */
export function setNewReplicaSetAnnotations(d: RoD, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const ann = { ...(rs.metadata.annotations ?? {}) };
  const before = JSON.stringify(ann);
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (!skipCopy.has(k)) {
      ann[k] = v;
    }
  }
  const old = ann[REVISION_ANNOTATION];
  const oldNum = Number(old ?? '0');
  if (!(oldNum >= newRevision)) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    if (exists && old !== undefined && old !== '') {
      ann[REVISION_HISTORY_ANNOTATION] = ann[REVISION_HISTORY_ANNOTATION] === undefined || ann[REVISION_HISTORY_ANNOTATION] === '' ? old : `${ann[REVISION_HISTORY_ANNOTATION]},${old}`;
    }
  }
  if (!exists) {
    ann[DESIRED_REPLICAS_ANNOTATION] = String(d.spec?.replicas ?? 1);
    ann[MAX_REPLICAS_ANNOTATION] = String((d.spec?.replicas ?? 1) + maxSurge(d));
  }
  rs.metadata.annotations = ann;
  return JSON.stringify(ann) !== before;
}

/** Talks to the apiserver on the deployment controller's behalf. */
export class ReplicaSetWriter {
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;

  constructor(client: RestClient, recorder: EventRecorder) {
    this.client = client;
    this.recorder = recorder;
  }

  /** PUTs a changed replica set. */
  async update(rs: ReplicaSet): Promise<RoRS> {
    return (await this.client.update<ReplicaSet>({ ...R.replicasets, namespace: rs.metadata.namespace, name: rs.metadata.name }, rs)) as RoRS;
  }

  /** Resizes `rs` (and refreshes its desired/max annotations); records ScalingReplicaSet like upstream. */
  async scale(d: RoD, rs: RoRS, to: number): Promise<RoRS> {
    const from = rs.spec?.replicas ?? 0;
    const desired = String(d.spec?.replicas ?? 1);
    const max = String((d.spec?.replicas ?? 1) + maxSurge(d));
    const ann = rs.metadata.annotations ?? {};
    if (from === to && ann[DESIRED_REPLICAS_ANNOTATION] === desired && ann[MAX_REPLICAS_ANNOTATION] === max) {
      return rs;
    }
    const next = structuredClone(rs) as ReplicaSet;
    next.spec = { ...next.spec, replicas: to };
    next.metadata.annotations = { ...next.metadata.annotations, [DESIRED_REPLICAS_ANNOTATION]: desired, [MAX_REPLICAS_ANNOTATION]: max };
    const updated = await this.update(next);
    if (from !== to) {
      this.recorder.event(d as KubeObject, EventType.Normal, 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name ?? ''} from ${from} to ${to}`);
    }
    return updated;
  }

  /**
   * Brings the new replica set's revision up to date, or creates it (named `<deploy>-<hash>`,
   * selector and labels extended with pod-template-hash). `d` is updated in place with the
   * Progressing condition upstream sets here; returns the set and whether the status changed.
   */
  async ensureNew(d: Deployment, oldRSs: readonly RoRS[], existing: RoRS | undefined, initialReplicas: (rs: RoRS) => number): Promise<{ rs: RoRS; statusChanged: boolean }> {
    const revision = maxRevision(oldRSs) + 1;
    if (existing !== undefined) {
      const next = structuredClone(existing) as ReplicaSet;
      const minReady = d.spec?.minReadySeconds ?? 0;
      const changed = setNewReplicaSetAnnotations(d, next, revision, true) || (next.spec?.minReadySeconds ?? 0) !== minReady;
      if (!changed) {
        return { rs: existing, statusChanged: false };
      }
      next.spec = { ...next.spec, minReadySeconds: minReady };
      const updated = await this.update(next);
      const hadProgressing = (d.status?.conditions ?? []).some((c) => c.type === 'Progressing');
      if (d.spec?.progressDeadlineSeconds !== undefined && !hadProgressing) {
        d.status = d.status ?? {};
        setCondition(d.status, newCondition('Progressing', 'True', Reason.FoundNewRS, `Found new replica set "${updated.metadata.name ?? ''}"`));
        return { rs: updated, statusChanged: true };
      }
      return { rs: updated, statusChanged: false };
    }
    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    const template = structuredClone(d.spec?.template ?? {}) as NonNullable<ReplicaSet['spec']>['template'] & object;
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
    const selector = structuredClone(d.spec?.selector ?? {}) as NonNullable<NonNullable<ReplicaSet['spec']>['selector']>;
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name ?? ''}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    setNewReplicaSetAnnotations(d, rs, revision, false);
    rs.spec = { ...rs.spec, replicas: initialReplicas(rs as RoRS) };
    let created: RoRS;
    try {
      created = (await this.client.create<ReplicaSet>({ ...R.replicasets, namespace: d.metadata.namespace }, rs)) as RoRS;
    } catch (e) {
      if (!isAlreadyExists(e)) {
        throw e;
      }
      // A set with our name exists: if it is ours with an equal template it is the new set
      // (our cache lagged); otherwise it is a hash collision and the next hash must differ.
      const other = await this.client.get<ReplicaSet>({ ...R.replicasets, namespace: d.metadata.namespace, name: rs.metadata.name });
      const ours = other.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === d.metadata.uid) === true;
      if (ours && equalIgnoreHash(other.spec?.template, d.spec?.template)) {
        return { rs: other as RoRS, statusChanged: false };
      }
      d.status = { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 };
      await this.client.update({ ...R.deployments, namespace: d.metadata.namespace, name: d.metadata.name, subresource: 'status' }, d);
      throw new Error(`hash collision for ReplicaSet ${rs.metadata.name ?? ''}; collisionCount is now ${d.status.collisionCount ?? 0}`, { cause: e });
    }
    if ((created.spec?.replicas ?? 0) > 0) {
      this.recorder.event(d, EventType.Normal, 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name ?? ''} from 0 to ${created.spec?.replicas ?? 0}`);
    }
    if (d.spec?.progressDeadlineSeconds !== undefined) {
      d.status = d.status ?? {};
      setCondition(d.status, newCondition('Progressing', 'True', Reason.NewReplicaSet, `Created new replica set "${created.metadata.name ?? ''}"`));
      return { rs: created, statusChanged: true };
    }
    return { rs: created, statusChanged: false };
  }
}
