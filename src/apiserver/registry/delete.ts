/**
 * DELETE with upstream's semantics: preconditions, finalizers (deletionTimestamp and keep),
 * propagation finalizers (foregroundDeletion, orphan), graceful deletion for pods, and the
 * namespace two-step (Terminating, then purge once its finalizers are gone).
 */
import { conflict, forbidden, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { StorageError } from '../../storage/interface.ts';
import { cloneObject, decodeMutable, decodeObject, encodeObject, nowRfc3339, objectKey } from './codec.ts';
import type { RegistryCore } from './core.ts';
import { modifiedMessage, translateStorageError } from './errors.ts';
import type { DeleteOptions, DeleteResult, WriteContext } from './types.ts';

/** Upstream retries until the request times out; a generous cap keeps a livelock finite. */
const maxAttempts = 1000;
const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

function isNamespace(desc: ResourceDescription): boolean {
  return desc.group === '' && desc.kind === 'Namespace';
}

/** Finalizer the propagation policy asks for (upstream's GC finalizers), if any. */
function propagationFinalizer(opts: DeleteOptions): string | undefined {
  if (opts.propagationPolicy === 'Foreground') {
    return 'foregroundDeletion';
  }
  if (opts.propagationPolicy === 'Orphan' || (opts.propagationPolicy === undefined && opts.orphanDependents === true)) {
    return 'orphan';
  }
  return undefined;
}

/** Grace period for this delete: pods from the request or spec (30 s), 0 when unbound or finished; others 0. */
function gracePeriod(desc: ResourceDescription, obj: KubeObject, opts: DeleteOptions): number {
  if (!desc.gracefulDeletion) {
    return 0;
  }
  const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (spec.nodeName === undefined || spec.nodeName === '' || phase === 'Succeeded' || phase === 'Failed') {
    return 0;
  }
  const grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  return grace < 0 ? 1 : grace; // upstream treats negative grace as 1s
}

function checkPreconditions(desc: ResourceDescription, name: string, obj: KubeObject, opts: DeleteOptions): void {
  const pre = opts.preconditions;
  // Upstream's BeforeDelete names the kind (not the resource) in these conflicts.
  if (pre?.uid !== undefined && pre.uid !== obj.metadata.uid) {
    throw conflict(desc.group, desc.kind, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${obj.metadata.uid ?? ''}). The object might have been deleted and then recreated`);
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(desc.group, desc.kind, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata.resourceVersion ?? ''}). The object might have been modified`);
  }
}

/** Deletes (or starts deleting) one object. */
export async function deleteObject(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: WriteContext): Promise<DeleteResult> {
  const key = objectKey(desc, namespace, name);
  if (isNamespace(desc) && immortalNamespaces.has(name)) {
    throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  }
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const kv = await core.storage.get(key);
    const old = kv === undefined ? undefined : decodeObject(kv);
    if (kv === undefined || old === undefined) {
      throw notFound(desc.group, desc.resource, name);
    }
    checkPreconditions(desc, name, old, opts);
    const next = cloneObject(old);
    const meta = next.metadata;
    const finalizers = [...(meta.finalizers ?? [])];
    const extra = propagationFinalizer(opts);
    if (extra !== undefined && meta.deletionTimestamp === undefined && !finalizers.includes(extra)) {
      finalizers.push(extra);
    }
    let grace = gracePeriod(desc, old, opts);
    let purgeNow: boolean;
    if (isNamespace(desc)) {
      const specFinalizers = (old.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      if (meta.deletionTimestamp === undefined) {
        meta.deletionTimestamp = nowRfc3339();
        meta.deletionGracePeriodSeconds = 0;
        next.status = { ...((next.status as object | undefined) ?? {}), phase: 'Terminating' };
        purgeNow = specFinalizers.length === 0 && finalizers.length === 0;
      } else if (specFinalizers.length > 0) {
        throw conflict(desc.group, desc.resource, name, 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.');
      } else {
        purgeNow = finalizers.length === 0;
      }
      grace = 0;
    } else if (meta.deletionTimestamp === undefined) {
      purgeNow = grace === 0 && finalizers.length === 0;
      meta.deletionTimestamp = nowRfc3339(grace);
      meta.deletionGracePeriodSeconds = grace;
      if (meta.generation !== undefined && meta.generation > 0) {
        meta.generation += 1;
      }
    } else {
      // Already deleting: only a shorter grace period may move the deadline (upstream's BeforeDelete).
      const current = meta.deletionGracePeriodSeconds ?? 0;
      if (current > 0 && desc.gracefulDeletion && opts.gracePeriodSeconds !== undefined && grace < current) {
        const deadline = Date.parse(meta.deletionTimestamp) - current * 1000 + grace * 1000;
        meta.deletionTimestamp = new Date(deadline).toISOString().replace(/\.\d{3}Z$/, 'Z');
        meta.deletionGracePeriodSeconds = grace;
      } else {
        grace = current;
      }
      purgeNow = grace === 0 && finalizers.length === 0;
    }
    if (finalizers.length > 0) {
      meta.finalizers = finalizers;
    }
    try {
      if (purgeNow) {
        if (ctx.dryRun) {
          return { object: cloneObject(old), finished: true };
        }
        const res = await core.storage.delete(key, kv.modRevision);
        core.noteWrite(desc, res.revision);
        const gone = cloneObject(old);
        gone.metadata.resourceVersion = String(res.revision);
        return { object: gone, finished: true };
      }
      if (ctx.dryRun) {
        return { object: next, finished: false };
      }
      if (JSON.stringify(next) === JSON.stringify(old)) {
        return { object: next, finished: false };
      }
      const upd = await core.storage.update(key, encodeObject(next), kv.modRevision, core.writeOptions(desc));
      core.noteWrite(desc, upd.modRevision);
      return { object: decodeMutable(upd) as KubeObject, finished: false };
    } catch (err) {
      if (err instanceof StorageError && (err.code === 'Conflict' || err.code === 'NotFound')) {
        continue;
      }
      throw translateStorageError(desc, name, err);
    }
  }
  throw conflict(desc.group, desc.resource, name, modifiedMessage);
}
