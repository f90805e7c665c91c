/**
 * The StatefulSet controller's decision for one sync (pure; upstream's
 * defaultStatefulSetControl.updateStatefulSet reduced): stable ordinals, OrderedReady vs
 * Parallel pod management, scale-down from the highest ordinal, rolling updates from the
 * highest ordinal down to the partition, and the status counters.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import type { Pod, PodTemplate } from '../history/pods.ts';
import { isAvailable, isReady, isTerminal } from '../history/pods.ts';
import { omitZero } from '../history/intstr.ts';
import { REVISION_HASH_LABEL } from '../history/revision.ts';

/** apps/v1 StatefulSet (fields read here). */
export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplate;
    serviceName?: string;
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    ordinals?: { start?: number };
    volumeClaimTemplates?: { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> }[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  };
  status?: StatefulSetStatus;
}

/** apps/v1 StatefulSetStatus. */
export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
}

/** One sync's decision. */
export interface StatefulSetPlan {
  /** Ordinals to create, each with the revision hash its pod is built from. */
  readonly create: readonly { ordinal: number; revision: string }[];
  readonly deletePods: readonly string[];
  readonly status: StatefulSetStatus;
}

/** `<set>-<ordinal>`. */
export function podName(set: string, ordinal: number): string {
  return `${set}-${ordinal}`;
}

/** The ordinal of a pod of `set`, or undefined when its name does not have the form. */
export function ordinalOf(set: string, name: string | undefined): number | undefined {
  if (name === undefined || !name.startsWith(`${set}-`)) {
    return undefined;
  }
  const tail = name.slice(set.length + 1);
  return /^(0|[1-9]\d*)$/.test(tail) ? Number(tail) : undefined;
}

const healthy = (p: DeepReadonly<Pod>): boolean => p.metadata.deletionTimestamp === undefined && p.status?.phase === 'Running' && isReady(p);

/** Decides one sync of `set` given its pods and the current/update revision hashes. */
export function planStatefulSet(set: DeepReadonly<StatefulSet>, pods: readonly DeepReadonly<Pod>[], currentRevision: string, updateRevision: string, nowMs: number): StatefulSetPlan {
  const name = set.metadata.name ?? '';
  const replicas = set.spec?.replicas ?? 1;
  const start = set.spec?.ordinals?.start ?? 0;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
  const strategy = set.spec?.updateStrategy;
  const partition = strategy?.type === 'OnDelete' ? Number.MAX_SAFE_INTEGER : (strategy?.rollingUpdate?.partition ?? 0);
  const minReady = set.spec?.minReadySeconds ?? 0;
  const revisionFor = (ordinal: number): string => (ordinal - start < partition && currentRevision !== '' ? currentRevision : updateRevision);
  const byOrdinal = new Map<number, DeepReadonly<Pod>>();
  const condemned: DeepReadonly<Pod>[] = [];
  for (const p of pods) {
    const o = ordinalOf(name, p.metadata.name);
    if (o === undefined) {
      continue;
    }
    if (o >= start && o < start + replicas) {
      byOrdinal.set(o, p);
    } else {
      condemned.push(p);
    }
  }
  condemned.sort((a, b) => (ordinalOf(name, b.metadata.name) ?? 0) - (ordinalOf(name, a.metadata.name) ?? 0));
  const create: { ordinal: number; revision: string }[] = [];
  const deletePods: string[] = [];
  let blocked = false;

  // Status reflects what exists before this sync acts (as upstream computes it while walking).
  const status: StatefulSetStatus = { observedGeneration: set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0, currentRevision, updateRevision, ...(set.status?.collisionCount !== undefined ? { collisionCount: set.status.collisionCount } : {}) };
  for (const p of pods) {
    if (ordinalOf(name, p.metadata.name) === undefined) {
      continue;
    }
    status.replicas++;
    if (healthy(p)) {
      status.readyReplicas = (status.readyReplicas ?? 0) + 1;
      if (isAvailable(p, minReady, nowMs)) {
        status.availableReplicas++;
      }
    }
    const rev = p.metadata.labels?.[REVISION_HASH_LABEL];
    if (rev === currentRevision) {
      status.currentReplicas = (status.currentReplicas ?? 0) + 1;
    }
    if (rev === updateRevision) {
      status.updatedReplicas = (status.updatedReplicas ?? 0) + 1;
    }
  }

  // 1. Replicas in order: replace failed pods, create missing ones; OrderedReady waits on each.
  for (let o = start; o < start + replicas && !blocked; o++) {
    const p = byOrdinal.get(o);
    if (p === undefined) {
      create.push({ ordinal: o, revision: revisionFor(o) });
      blocked = monotonic;
    } else if (isTerminal(p) && p.metadata.deletionTimestamp === undefined) {
      deletePods.push(p.metadata.name ?? '');
      blocked = monotonic;
    } else if (monotonic && (!healthy(p) || !isAvailable(p, minReady, nowMs))) {
      blocked = true;
    }
  }
  // 2. Scale down from the highest ordinal; OrderedReady one at a time and only when all else is healthy.
  if (!blocked) {
    for (const p of condemned) {
      if (p.metadata.deletionTimestamp !== undefined) {
        if (monotonic) {
          blocked = true;
          break;
        }
        continue;
      }
      deletePods.push(p.metadata.name ?? '');
      if (monotonic) {
        blocked = true;
        break;
      }
    }
  }
  // 3. Rolling update: highest ordinal first, down to the partition, one unavailable pod at a time.
  if (!blocked && strategy?.type !== 'OnDelete' && create.length === 0) {
    for (let o = start + replicas - 1; o >= start + partition; o--) {
      const p = byOrdinal.get(o);
      if (p === undefined) {
        continue;
      }
      if (p.metadata.labels?.[REVISION_HASH_LABEL] !== updateRevision) {
        if (p.metadata.deletionTimestamp === undefined) {
          deletePods.push(p.metadata.name ?? '');
        }
        break;
      }
      if (!healthy(p)) {
        break; // wait for the updated pod to become ready before touching the next
      }
    }
  }
  // The update is done when every replica runs the update revision.
  if ((status.updatedReplicas ?? 0) === replicas && status.replicas === replicas && (status.readyReplicas ?? 0) === replicas) {
    status.currentRevision = updateRevision;
    status.currentReplicas = status.updatedReplicas;
  }
  return { create, deletePods, status: omitZero(status, ['readyReplicas', 'currentReplicas', 'updatedReplicas']) };
}
