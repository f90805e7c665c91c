/**
 * Upstream's `persistentvolumeclaim-protection-controller` and
 * `persistentvolume-protection-controller`: they add the protection finalizer where admission
 * did not, and take it off a claim or volume being deleted once nothing uses it: no scheduled
 * pod refers to the claim (the pod cache first; a live list of the namespace's pods before
 * letting go, as the cache may lag), the volume is not Bound.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { ResourceRef } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, runQueue, unwrap } from '../manager/kit.ts';
import { PVCS, PVS } from '../persistentvolume/types.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../persistentvolume/types.ts';
import { claimsFreedBy, podUsesClaim, protectionAction, PV_PROTECTION, PVC_PROTECTION, volumeInUse } from './uses.ts';
import type { VolumePod } from './uses.ts';

/** Writes obj back with `finalizer` added or removed (an update: a stale copy fails with a conflict and is retried). */
async function setFinalizer(ctx: ControllerContext, ref: ResourceRef, obj: DeepReadonly<KubeObject>, finalizer: string, present: boolean): Promise<void> {
  const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  const next = { ...obj, metadata: { ...obj.metadata, finalizers: present ? [...rest, finalizer] : rest } };
  try {
    await ctx.client.update({ ...ref, namespace: obj.metadata.namespace, name: obj.metadata.name }, next);
  } catch (e) {
    if (isNotFound(e)) {
      return;
    }
    throw e; // a conflict: the queue retries (rate-limited) with the newer copy
  }
}

/** Factory of the claim protection controller. */
export function pvcProtectionFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'pvcprotection' });
  const claims = ctx.informers.informerFor<PersistentVolumeClaim>(PVCS);
  const pods = ctx.informers.informerFor<VolumePod>(R.pods);
  const enqueueClaim = (c: DeepReadonly<PersistentVolumeClaim>): void => {
    if (protectionAction(c, PVC_PROTECTION) !== undefined) {
      queue.add(`${c.metadata.namespace ?? ''}/${c.metadata.name ?? ''}`);
    }
  };
  claims.addEventHandler({ onAdd: enqueueClaim, onUpdate: (_o, c) => enqueueClaim(c) });
  const enqueueFreed = (p: DeepReadonly<VolumePod>, deleted: boolean): void => {
    for (const name of claimsFreedBy(p, deleted)) {
      queue.add(`${p.metadata.namespace ?? ''}/${name}`);
    }
  };
  pods.addEventHandler({
    onAdd: (p) => enqueueFreed(p, false),
    onUpdate: (old, p) => {
      enqueueFreed(p, false);
      // An update may hide a deleted pod replaced by another of the same name.
      if (old.metadata.uid !== p.metadata.uid) {
        enqueueFreed(old, true);
      }
    },
    onDelete: (p) => enqueueFreed(unwrap(p), true),
  });

  const inUse = async (namespace: string, name: string): Promise<boolean> => {
    if (pods.lister.list(namespace).some((p) => podUsesClaim(p, name))) {
      return true;
    }
    const live = await ctx.client.list<VolumePod>({ ...R.pods, namespace });
    return live.items.some((p) => podUsesClaim(p as DeepReadonly<VolumePod>, name));
  };

  const sync = async (key: string): Promise<void> => {
    const { namespace = '', name } = splitKey(key);
    const claim = claims.lister.get(namespace, name);
    const action = claim === undefined ? undefined : protectionAction(claim, PVC_PROTECTION);
    if (claim === undefined || action === undefined) {
      return;
    }
    if (action === 'release' && (await inUse(namespace, name))) {
      return; // a pod event enqueues the claim again once that pod lets go
    }
    await setFinalizer(ctx, PVCS, claim, PVC_PROTECTION, action === 'add');
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([claims.waitForSync(signal), pods.waitForSync(signal)]);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}

/** Factory of the volume protection controller. */
export function pvProtectionFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'pvprotection' });
  const volumes = ctx.informers.informerFor<PersistentVolume>(PVS);
  const enqueue = (v: DeepReadonly<PersistentVolume>): void => {
    if (protectionAction(v, PV_PROTECTION) !== undefined) {
      queue.add(v.metadata.name ?? '');
    }
  };
  volumes.addEventHandler({ onAdd: enqueue, onUpdate: (_o, v) => enqueue(v) });

  const sync = async (name: string): Promise<void> => {
    const pv = volumes.lister.get('', name);
    const action = pv === undefined ? undefined : protectionAction(pv, PV_PROTECTION);
    if (pv === undefined || action === undefined || (action === 'release' && volumeInUse(pv))) {
      return;
    }
    await setFinalizer(ctx, PVS, pv, PV_PROTECTION, action === 'add');
  };

  return {
    run: async (workers, signal) => {
      await volumes.waitForSync(signal);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
