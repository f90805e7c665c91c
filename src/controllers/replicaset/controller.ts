/**
 * The replica controller behind both ReplicaSet and ReplicationController (upstream shares one
 * implementation too): claims matching pods (adopting orphans, releasing those that no longer
 * match), creates or deletes pods to reach spec.replicas in slow-start batches, guarded by
 * expectations, and writes status.
 */
import type { DeepReadonly, KubeObject, OwnerReference } from '../../api/object.ts';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { labelSelectorFromSet } from '../../api/selectors/index.ts';
import type { LabelSelector } from '../../api/selectors/index.ts';
import { EventType, PatchType, WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { controllerRef, keyOf, R, runQueue, unwrap } from '../manager/kit.ts';
import { claimPods } from '../history/claim.ts';
import { Expectations } from '../history/expectations.ts';
import { compareForDeletion, isPodActive } from './pods.ts';
import type { Pod } from './pods.ts';
import { calculateStatus, sameStatus } from './status.ts';
import type { ReplicaCondition, ReplicaStatus } from './status.ts';

/** A ReplicaSet or ReplicationController, as far as this controller reads it. */
export interface ReplicaOwner extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: unknown;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  };
  status?: ReplicaStatus;
}

/** What differs between the ReplicaSet and ReplicationController flavours. */
export interface ReplicaKind {
  readonly resource: { readonly group: string; readonly version: string; readonly resource: string };
  readonly apiVersion: string;
  readonly kind: string;
  /** Event source component (`replicaset-controller`, `replication-controller`). */
  readonly component: string;
  readonly queueName: string;
  readonly selector: (owner: DeepReadonly<ReplicaOwner>) => LabelSelector;
}

/** Upstream's cap on creations/deletions per sync. */
export const BURST_REPLICAS = 500;

/** Runs `fn` count times in batches of 1, 2, 4, ...; stops after the first batch with a failure. Returns successes and the first error. */
export async function slowStartBatch(count: number, fn: () => Promise<void>): Promise<{ done: number; error?: unknown }> {
  let done = 0;
  let batch = Math.min(count, 1);
  while (batch > 0) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    done += results.filter((r) => r.status === 'fulfilled').length;
    if (failed !== undefined) {
      return { done, error: failed.reason };
    }
    const remaining = count - done;
    batch = Math.min(remaining, batch * 2);
  }
  return { done };
}

/** Builds the replica controller for one kind from the shared context. */
export function replicaControllerFactory(kind: ReplicaKind): (ctx: ControllerContext) => Controller {
  return (ctx) => {
    const queue = new WorkQueue<string>({ name: kind.queueName });
    const owners = ctx.informers.informerFor<ReplicaOwner>(kind.resource);
    const pods = ctx.informers.informerFor<Pod>(R.pods);
    const expectations = new Expectations();
    const recorder = ctx.recorder(kind.component);

    const ownerKeyOf = (pod: DeepReadonly<Pod>): string | undefined => {
      const ref = controllerRef(pod);
      if (ref === undefined || ref.kind !== kind.kind || ref.apiVersion.split('/')[0] !== kind.apiVersion.split('/')[0]) {
        return undefined;
      }
      const owner = owners.lister.get(pod.metadata.namespace ?? '', ref.name);
      return owner !== undefined && owner.metadata.uid === ref.uid ? keyOf(owner) : undefined;
    };
    const enqueueMatching = (pod: DeepReadonly<Pod>): void => {
      for (const o of owners.lister.list(pod.metadata.namespace ?? '')) {
        if (kind.selector(o).matches(pod.metadata.labels)) {
          queue.add(keyOf(o));
        }
      }
    };
    owners.addEventHandler({
      onAdd: (o) => queue.add(keyOf(o)),
      onUpdate: (_old, o) => queue.add(keyOf(o)),
      onDelete: (o) => {
        const key = keyOf(unwrap(o));
        expectations.forget(key);
        queue.add(key);
      },
    });
    pods.addEventHandler({
      onAdd: (p) => {
        const key = ownerKeyOf(p);
        if (key === undefined) {
          if (controllerRef(p) === undefined) {
            enqueueMatching(p);
          }
          return;
        }
        if (p.metadata.deletionTimestamp !== undefined) {
          expectations.deletionObserved(key, keyOf(p));
        } else {
          expectations.creationObserved(key);
        }
        queue.add(key);
      },
      onUpdate: (oldPod, p) => {
        const oldKey = ownerKeyOf(oldPod);
        const key = ownerKeyOf(p);
        if (p.metadata.deletionTimestamp !== undefined && key !== undefined) {
          expectations.deletionObserved(key, keyOf(p));
        }
        if (oldKey !== undefined && oldKey !== key) {
          queue.add(oldKey);
        }
        if (key !== undefined) {
          queue.add(key);
        } else if (controllerRef(p) === undefined) {
          enqueueMatching(p);
        }
      },
      onDelete: (o) => {
        const p = unwrap(o);
        const key = ownerKeyOf(p);
        if (key !== undefined) {
          expectations.deletionObserved(key, keyOf(p));
          queue.add(key);
        }
      },
    });

    const ownerRefFor = (o: DeepReadonly<ReplicaOwner>): OwnerReference => ({ apiVersion: kind.apiVersion, kind: kind.kind, name: o.metadata.name ?? '', uid: o.metadata.uid ?? '', controller: true, blockOwnerDeletion: true });

    const podFromTemplate = (o: DeepReadonly<ReplicaOwner>): Pod => {
      const t = structuredClone(o.spec?.template ?? {}) as NonNullable<NonNullable<ReplicaOwner['spec']>['template']>;
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${o.metadata.name ?? ''}-`,
          namespace: o.metadata.namespace,
          ...(t.metadata?.labels !== undefined ? { labels: t.metadata.labels } : {}),
          ...(t.metadata?.annotations !== undefined ? { annotations: t.metadata.annotations } : {}),
          ownerReferences: [ownerRefFor(o)],
        },
        spec: t.spec ?? {},
      };
    };

    /** Creates or deletes pods toward spec.replicas; returns the error of a failed create/delete, if any. */
    const manage = async (key: string, o: DeepReadonly<ReplicaOwner>, active: DeepReadonly<Pod>[]): Promise<unknown> => {
      const want = o.spec?.replicas ?? 1;
      const diff = active.length - want;
      if (diff < 0) {
        const n = Math.min(-diff, BURST_REPLICAS);
        expectations.expect(key, n);
        const template = podFromTemplate(o);
        const { done, error } = await slowStartBatch(n, async () => {
          try {
            const pod = await ctx.client.create<Pod>({ ...R.pods, namespace: o.metadata.namespace }, template);
            recorder.event(o, EventType.Normal, 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
          } catch (e) {
            expectations.creationObserved(key);
            recorder.event(o, EventType.Warning, 'FailedCreate', `Error creating: ${(e as Error).message}`);
            throw e;
          }
        });
        // Creations never attempted will never be observed.
        for (let i = done; i < n; i++) {
          expectations.creationObserved(key);
        }
        return error;
      }
      if (diff > 0) {
        const victims = [...active].sort(compareForDeletion).slice(0, Math.min(diff, BURST_REPLICAS));
        expectations.expect(key, 0, victims.map((p) => keyOf(p)));
        const results = await Promise.allSettled(
          victims.map(async (p) => {
            try {
              await ctx.client.delete({ ...R.pods, namespace: p.metadata.namespace, name: p.metadata.name }, { preconditions: { uid: p.metadata.uid } });
              recorder.event(o, EventType.Normal, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
            } catch (e) {
              expectations.deletionObserved(key, keyOf(p));
              if (!isNotFound(e)) {
                recorder.event(o, EventType.Warning, 'FailedDelete', `Error deleting: ${(e as Error).message}`);
                throw e;
              }
            }
          }),
        );
        return results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
      }
      return undefined;
    };

    const writeStatus = async (o: DeepReadonly<ReplicaOwner>, status: ReplicaStatus): Promise<void> => {
      if (sameStatus(o.status, status)) {
        return;
      }
      const ref = { ...kind.resource, namespace: o.metadata.namespace, name: o.metadata.name, subresource: 'status' };
      const next = structuredClone(o) as ReplicaOwner;
      next.status = status;
      try {
        await ctx.client.update(ref, next);
      } catch (e) {
        if (isNotFound(e)) {
          return;
        }
        if (isConflict(e)) {
          // Our cache is behind: recompute from the fresher cache rather than write a status
          // counted from stale pods (which would make a deployment's availability dip).
          queue.addAfter(keyOf(o), 50);
          return;
        }
        throw e;
      }
    };

    const sync = async (key: string): Promise<void> => {
      const { namespace, name } = splitKey(key);
      const o = owners.lister.get(namespace, name);
      if (o === undefined) {
        expectations.forget(key);
        return;
      }
      const selector = kind.selector(o);
      const all = pods.lister.list(namespace).filter(isPodActive);
      const ref = ownerRefFor(o);
      const active = await claimPods(ctx.client, { ref, deleting: o.metadata.deletionTimestamp !== undefined, matches: (labels) => selector.matches(labels) }, all);
      let manageError: unknown;
      if (expectations.satisfied(key) && o.metadata.deletionTimestamp === undefined) {
        manageError = await manage(key, o, active);
      }
      const conditions: ReplicaCondition[] = (structuredClone(o.status?.conditions ?? []) as ReplicaCondition[]).filter((c) => c.type !== 'ReplicaFailure');
      if (manageError !== undefined && (o.spec?.replicas ?? 1) > active.length) {
        const old = o.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
        conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: old?.lastTransitionTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), reason: 'FailedCreate', message: (manageError as Error).message });
      }
      const minReady = o.spec?.minReadySeconds ?? 0;
      const status = calculateStatus(active, labelSelectorFromSet(o.spec?.template?.metadata?.labels), minReady, o.metadata.generation, conditions);
      await writeStatus(o, status);
      if (manageError !== undefined) {
        throw manageError instanceof Error ? manageError : new Error(String(manageError));
      }
      if (minReady > 0 && (status.readyReplicas ?? 0) > (status.availableReplicas ?? 0)) {
        queue.addAfter(key, minReady * 1000);
      }
    };

    return {
      run: async (workers, signal) => {
        await Promise.all([owners.waitForSync(signal), pods.waitForSync(signal)]);
        await runQueue(queue, workers, signal, sync, ctx.logger);
      },
    };
  };
}
