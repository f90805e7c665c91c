/**
 * UPDATE (PUT) and the update half of PATCH: a guaranteed-update loop over the store
 * (re-read, re-apply, compare-and-swap; retried on conflicts unless the client gave a
 * resourceVersion precondition), with create-on-update where upstream allows it.
 */
import { badRequest, conflict, isAlreadyExists, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { deepEqual } from '../../api/validation/field.ts';
import { isObject } from '../../api/patch/json-values.ts';
import { StorageError } from '../../storage/interface.ts';
import { asServed, asStored, cloneObject, decodeObject, encodeObjectMarked, objectJson, objectKey } from './codec.ts';
import type { RegistryCore } from './core.ts';
import { applyNamespace, checkNamespaceOpen, prepareNewObject, rejectResourceVersion, storeNew } from './create.ts';
import { modifiedMessage, translateStorageError } from './errors.ts';
import { admitWrite, checkTypeMeta, throwInvalid } from './pipeline.ts';
import { admitNewPod } from './pod-admission.ts';
import { admitRbacWrite } from './rbac-admission.ts';
import { admitCsrUpdate } from './csr-admission.ts';
import { admitQuota } from './quota-admission.ts';
import { admitStorageProtection } from './storage-protection-admission.ts';
import { admitClaimDefaultClass } from './storageclass-admission.ts';
import { nodeName } from '../authz/node.ts';
import { allocateServiceAddresses, dropTypeDependentFields, isService } from './services.ts';
import { prepareForUpdate, specChanged } from './strategy.ts';
import type { WriteContext, WriteResult } from './types.ts';

/** Produces the desired object from the current one (a mutable copy; undefined when creating). */
export type Mutator = (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>;

export interface UpdateOptions {
  readonly subresource?: string;
  /** Create the object when missing (apply, and kinds upstream allows for PUT). */
  readonly allowCreate: boolean;
  /** resourceVersion the client required (PUT body, or a patch that sets it); stale → 409. */
  readonly precondition?: string;
  /** Server-side apply already computed managedFields. */
  readonly managedFieldsDone?: boolean;
  /** Skip validation (subresources whose own strategy upstream validates elsewhere). */
  readonly skipValidation?: boolean;
  /**
   * A server-internal write upstream makes straight through the store (pods/binding's
   * GuaranteedUpdate): no defaults, unknown-field pruning, validation or managedFields — the
   * stored object is already clean — and the mutation always changes it. Its mutator gets a
   * copy that is fresh only down to the top-level members' own objects (metadata, spec, status):
   * it may assign their members, never change anything below them in place.
   */
  readonly storeDirect?: boolean;
}

/** Upstream retries until the request times out; a generous cap keeps a livelock finite. */
const maxAttempts = 1000;

/** True when an object that is being deleted has nothing left holding it (upstream's shouldDeleteDuringUpdate). */
export function readyToDelete(desc: ResourceDescription, obj: KubeObject): boolean {
  const meta = obj.metadata;
  if (meta.deletionTimestamp === undefined || (meta.finalizers ?? []).length > 0 || (meta.deletionGracePeriodSeconds ?? 0) !== 0) {
    return false;
  }
  if (desc.group === '' && desc.kind === 'Namespace') {
    const finalizers = (obj.spec as { finalizers?: unknown[] } | undefined)?.finalizers ?? [];
    return finalizers.length === 0;
  }
  return true;
}

/** What must differ for an update to be written: everything but resourceVersion (managedFields included, so a patch of only managedFields is stored); JSON equality, undefined members count as absent. */
function sameExceptResourceVersion(obj: KubeObject, old: KubeObject): boolean {
  const { resourceVersion: _a, ...meta } = obj.metadata;
  const { resourceVersion: _b, ...oldMeta } = old.metadata;
  return deepEqual({ ...obj, metadata: meta }, { ...old, metadata: oldMeta });
}

/** Runs one update of desc/namespace/name through the guaranteed-update loop. */
export async function updateObject(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, name: string, ctx: WriteContext, mutate: Mutator, opts: UpdateOptions): Promise<WriteResult> {
  const key = objectKey(desc, namespace, name);
  const conditional = opts.precondition !== undefined && opts.precondition !== '';
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    // First attempt from the watch cache's copy, as upstream's cacher hands GuaranteedUpdate its
    // cached object: no store read or decode. A stale copy shows as a failed compare-and-swap or
    // an error from the mutation; either way the next attempt reads the store.
    const guess = attempt === 0 && !ctx.dryRun && !isService(desc) ? core.cachedObject(desc, key) : undefined;
    if (guess !== undefined) {
      try {
        const r = await updateExisting(core, desc, namespace, name, key, ctx, mutate, opts, asServed(desc, guess), Number(guess.metadata.resourceVersion), true);
        if (r !== retryFromStore) {
          return r;
        }
      } catch {
        // Possibly decided on stale data: the store has the last word.
      }
      continue;
    }
    const kv = await core.storage.get(key);
    const decoded = kv === undefined ? undefined : decodeObject(kv);
    const old = decoded === undefined ? undefined : asServed(desc, decoded);
    if (kv === undefined || old === undefined) {
      if (!opts.allowCreate || opts.subresource !== undefined) {
        throw notFound(desc.group, desc.resource, name);
      }
      const obj = await mutate(undefined);
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        throw badRequest('the request produced no object: the patched document must be a JSON object');
      }
      obj.metadata ??= {};
      if (conditional) {
        obj.metadata.resourceVersion = opts.precondition;
      }
      checkTypeMeta(desc, obj);
      applyNamespace(desc, namespace, obj);
      checkName(obj, name);
      rejectResourceVersion(obj);
      await checkNamespaceOpen(core, desc, obj.metadata.namespace);
      await admitNewPod(core, desc, obj, nodeName(ctx.user));
      await admitClaimDefaultClass(core, desc, obj);
      admitStorageProtection(desc, obj);
      await admitRbacWrite(core, desc, obj, undefined, ctx);
      prepareNewObject(desc, obj, ctx, { skipManagedFields: opts.managedFieldsDone });
      if (isService(desc)) {
        await allocateServiceAddresses(core, desc, obj, core.serviceRanges);
      }
      await admitQuota(core, desc, obj, ctx);
      try {
        return { object: await storeNew(core, desc, obj, ctx), created: true };
      } catch (err) {
        if (isAlreadyExists(err)) {
          continue; // someone created it meanwhile: update instead
        }
        throw err;
      }
    }
    const r = await updateExisting(core, desc, namespace, name, key, ctx, mutate, opts, old, kv.modRevision, false);
    if (r !== retryFromStore) {
      return r;
    }
  }
  throw conflict(desc.group, desc.resource, name, modifiedMessage);
}

/** Marks an attempt to repeat with the object read from the store. */
const retryFromStore = Symbol('retryFromStore');

/**
 * One update attempt on the current object `old` at `modRevision`; `guess`: old came from the
 * watch cache and may be stale.
 */
async function updateExisting(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, name: string, key: string, ctx: WriteContext, mutate: Mutator, opts: UpdateOptions, old: KubeObject, modRevision: number, guess: boolean): Promise<WriteResult | typeof retryFromStore> {
  const conditional = opts.precondition !== undefined && opts.precondition !== '';
  const oldRv = old.metadata.resourceVersion;
  if (conditional && opts.precondition !== oldRv) {
    throw conflict(desc.group, desc.resource, name, modifiedMessage);
  }
  // A cached object's JSON is usually memoised already (its watch event was sent): parsing it
  // makes the mutable copy for less than a copy by hand. A store-direct mutator needs no deep copy.
  const obj = await mutate(opts.storeDirect === true ? copyTwoLevels(old) : guess ? (JSON.parse(objectJson(old)) as KubeObject) : cloneObject(old));
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw badRequest('the request produced no object: the patched document must be a JSON object');
  }
  obj.metadata ??= {};
  checkTypeMeta(desc, obj);
  applyNamespace(desc, namespace, obj);
  checkName(obj, name);
  obj.metadata.resourceVersion = oldRv;
  keepServerFields(desc, obj, old);
  prepareForUpdate(desc, obj, old, opts.subresource);
  if (isService(desc) && opts.subresource === undefined) {
    dropTypeDependentFields(obj, old);
  }
  if (desc.bumpsGeneration && specChanged(desc, obj, old)) {
    obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
  if (opts.storeDirect !== true) {
    admitWrite(desc, obj, old, ctx, opts.subresource, { skipManagedFields: opts.managedFieldsDone, skipValidation: opts.skipValidation });
    await admitRbacWrite(core, desc, obj, old, ctx);
    admitCsrUpdate(desc, obj, old, opts.subresource, ctx);
  }
  if (isService(desc) && opts.subresource === undefined) {
    await allocateServiceAddresses(core, desc, obj, core.serviceRanges);
  }
  if (opts.storeDirect !== true && sameExceptResourceVersion(obj, old)) {
    // No-op: upstream skips the write, but only once it knows the object is current.
    return guess ? retryFromStore : { object: cloneObject(old), created: false };
  }
  if (readyToDelete(desc, obj)) {
    if (ctx.dryRun) {
      return { object: obj, created: false };
    }
    try {
      const res = await core.storage.delete(key, modRevision);
      core.noteWrite(desc, res.revision);
      obj.metadata.resourceVersion = String(res.revision);
      return { object: obj, created: false };
    } catch (err) {
      if (err instanceof StorageError && err.code === 'Conflict' && !conditional) {
        return retryFromStore;
      }
      throw translateStorageError(desc, name, err);
    }
  }
  if (ctx.dryRun) {
    return { object: obj, created: false };
  }
  try {
    const next = await core.writeEncoded(key, encodeObjectMarked(asStored(desc, obj)), (value) => core.storage.update(key, value, modRevision, core.writeOptions(desc)));
    core.noteWrite(desc, next.modRevision);
    if (opts.storeDirect === true) {
      // Nobody reads a server-internal write's object back from the store (binding answers a Status).
      obj.metadata.resourceVersion = String(next.modRevision);
      return { object: obj, created: false };
    }
    return { object: core.writtenObject(desc, next), created: false };
  } catch (err) {
    if (err instanceof StorageError && err.code === 'Conflict' && !conditional) {
      return retryFromStore;
    }
    throw translateStorageError(desc, name, err);
  }
}

/** old with fresh top-level member objects (metadata, spec, status) sharing everything below them. */
function copyTwoLevels(old: KubeObject): KubeObject {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(old)) {
    out[k] = isObject(v) ? { ...v } : v;
  }
  return out as KubeObject;
}

function checkName(obj: KubeObject, name: string): void {
  const bodyName = obj.metadata.name;
  if (bodyName === undefined || bodyName === '') {
    obj.metadata.name = name;
  } else if (bodyName !== name) {
    throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
  }
}

/** Server-owned metadata survives every update; uid may be echoed but not changed (422). */
function keepServerFields(desc: ResourceDescription, obj: KubeObject, old: KubeObject): void {
  const meta = obj.metadata;
  if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== old.metadata.uid) {
    throwInvalid(desc, obj, [{ type: 'FieldValueInvalid', field: 'metadata.uid', message: `Invalid value: "${meta.uid}": field is immutable` }]);
  }
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  setOrDelete(meta, 'deletionTimestamp', old.metadata.deletionTimestamp);
  setOrDelete(meta, 'deletionGracePeriodSeconds', old.metadata.deletionGracePeriodSeconds);
  setOrDelete(meta, 'generation', old.metadata.generation);
  delete meta.selfLink;
  if (old.metadata.deletionTimestamp !== undefined) {
    // Upstream: while deleting, finalizers may only be removed, never added.
    const before = new Set(old.metadata.finalizers ?? []);
    const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length > 0) {
      throwInvalid(desc, obj, [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]);
    }
  }
}

function setOrDelete<K extends 'deletionTimestamp' | 'deletionGracePeriodSeconds' | 'generation'>(meta: KubeObject['metadata'], field: K, value: KubeObject['metadata'][K]): void {
  if (value === undefined) {
    delete meta[field];
  } else {
    meta[field] = value;
  }
}
