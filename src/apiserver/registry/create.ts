/**
 * CREATE: type meta from the URL, namespace rules, generateName, server-set metadata,
 * the kind's create strategy, the write pipeline, then the store (KeyExists → 409).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { badRequest, forbidden, notFound, StatusError, StatusReason } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { StorageError } from '../../storage/interface.ts';
import { asStored, cloneObject, decodeObject, encodeObjectMarked, nowRfc3339, objectKey, resourcePrefix } from './codec.ts';
import type { RegistryCore } from './core.ts';
import { translateStorageError } from './errors.ts';
import { admitWrite, checkTypeMeta, throwInvalid } from './pipeline.ts';
import { admitNewPod } from './pod-admission.ts';
import { admitStorageProtection } from './storage-protection-admission.ts';
import { admitClaimDefaultClass } from './storageclass-admission.ts';
import { admitRbacWrite } from './rbac-admission.ts';
import { admitCsrCreate } from './csr-admission.ts';
import { admitQuota } from './quota-admission.ts';
import { nodeName } from '../authz/node.ts';
import { allocateServiceAddresses, isService } from './services.ts';
import { prepareForCreate } from './strategy.ts';
import type { WriteContext } from './types.ts';

/** Upstream's generateName alphabet (no vowels, no confusable digits). */
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxGenerateAttempts = 8;

/** generateName + 5 random characters, the base cut to 58 characters like upstream. */
export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += alphabet[randomInt(alphabet.length)];
  }
  return base.slice(0, 58) + suffix;
}

/** Checks the request namespace against the body and sets it; 400 on mismatch. */
export function applyNamespace(desc: ResourceDescription, namespace: string | undefined, obj: KubeObject): void {
  if (!desc.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const bodyNs = obj.metadata.namespace;
  if (bodyNs !== undefined && bodyNs !== '' && bodyNs !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (namespace === undefined || namespace === '') {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = namespace;
}

/** The namespace must exist (404) and not be terminating (403), as NamespaceLifecycle admission says. */
export async function checkNamespaceOpen(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined): Promise<void> {
  const nsDesc = core.namespaceDesc;
  if (!desc.namespaced || nsDesc === undefined || namespace === undefined) {
    return;
  }
  const cache = await core.freshCache(nsDesc);
  const key = objectKey(nsDesc, undefined, namespace);
  const ns = cache !== undefined ? cache.get(key) : await core.storage.get(key).then((kv) => (kv === undefined ? undefined : decodeObject(kv)));
  if (ns === undefined) {
    throw notFound('', 'namespaces', namespace);
  }
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Terminating' || ns.metadata.deletionTimestamp !== undefined) {
    throw forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`, {
      name: namespace,
      kind: desc.resource,
      group: desc.group || undefined,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}

/** Upstream's store refuses a create carrying a (numeric, non-zero) resourceVersion with a 500. */
export function rejectResourceVersion(obj: KubeObject): void {
  const rv = obj.metadata.resourceVersion;
  if (rv !== undefined && /^\d+$/.test(rv) && Number(rv) !== 0) {
    throw new StatusError(500, StatusReason.InternalError, 'resourceVersion should not be set on objects to be created');
  }
}

/** Sets what the server owns on a new object and runs the create strategy and pipeline (no store write). */
export function prepareNewObject(desc: ResourceDescription, obj: KubeObject, ctx: WriteContext, opts: { skipManagedFields?: boolean } = {}): void {
  const meta = obj.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowRfc3339();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (desc.bumpsGeneration) {
    meta.generation = 1;
  } else {
    delete meta.generation;
  }
  prepareForCreate(desc, obj, ctx.user);
  admitWrite(desc, obj, undefined, ctx, undefined, opts);
}

/**
 * Stores a prepared object; returns it as stored. `generatedName`: the name was drawn from
 * generateName, so a clash draws another one and retries.
 */
export async function storeNew(core: RegistryCore, desc: ResourceDescription, obj: KubeObject, ctx: WriteContext, generatedName = false): Promise<KubeObject> {
  const generated = generatedName || (obj.metadata.generateName !== undefined && obj.metadata.generateName !== '' && obj.metadata.name === undefined);
  for (let attempt = 0; ; attempt++) {
    if (generated && (attempt > 0 || obj.metadata.name === undefined)) {
      obj.metadata.name = generateName(obj.metadata.generateName ?? '');
    }
    const name = obj.metadata.name ?? '';
    if (name === '') {
      throwInvalid(desc, obj, [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    if (ctx.dryRun) {
      return obj;
    }
    try {
      const key = objectKey(desc, obj.metadata.namespace, name);
      const kv = await core.writeEncoded(key, encodeObjectMarked(asStored(desc, obj)), (value) => core.storage.create(key, value, core.writeOptions(desc)));
      core.noteWrite(desc, kv.modRevision);
      return core.writtenObject(desc, kv);
    } catch (err) {
      if (generated && err instanceof StorageError && err.code === 'KeyExists' && attempt + 1 < maxGenerateAttempts) {
        delete obj.metadata.name;
        continue;
      }
      throw translateStorageError(desc, name, err);
    }
  }
}

/** POST of a new object of desc into namespace. */
export async function createObject(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, body: KubeObject, ctx: WriteContext): Promise<KubeObject> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('the body of the request must be an object');
  }
  if (core.terminating.has(resourcePrefix(desc))) {
    throw new StatusError(405, StatusReason.MethodNotAllowed, 'create not allowed while custom resource definition is terminating');
  }
  const obj = cloneObject(body);
  obj.metadata ??= {};
  checkTypeMeta(desc, obj);
  applyNamespace(desc, namespace, obj);
  if ((obj.metadata.name ?? '') === '') {
    delete obj.metadata.name;
    if ((obj.metadata.generateName ?? '') === '') {
      throwInvalid(desc, obj, [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
  }
  rejectResourceVersion(obj);
  await checkNamespaceOpen(core, desc, obj.metadata.namespace);
  // The real name is drawn before defaults (a Job's job-name labels use it); storeNew draws again only on a clash.
  const generated = obj.metadata.name === undefined;
  if (generated) {
    obj.metadata.name = generateName(obj.metadata.generateName ?? '');
  }
  await admitNewPod(core, desc, obj, nodeName(ctx.user));
  await admitClaimDefaultClass(core, desc, obj);
  admitStorageProtection(desc, obj);
  await admitRbacWrite(core, desc, obj, undefined, ctx);
  admitCsrCreate(desc, obj);
  prepareNewObject(desc, obj, ctx);
  if (isService(desc)) {
    await allocateServiceAddresses(core, desc, obj, core.serviceRanges);
  }
  await admitQuota(core, desc, obj, ctx);
  return storeNew(core, desc, obj, ctx, generated);
}

