/**
 * PATCH: decodes the body per patch type, applies it with the patch module on every
 * attempt of the update loop, and lets server-side apply create missing objects.
 */
import { parse as parseYaml } from 'yaml';
import { badRequest, invalid, StatusError, StatusReason, unsupportedMediaType } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, CUSTOM_RESOURCE_PATCH_TYPES, serverSideApply } from '../../api/patch/index.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import type { RegistryCore } from './core.ts';
import { gvkOf, ownershipOptions } from './pipeline.ts';
import { isCustomResource } from './strategy.ts';
import { PatchType } from './types.ts';
import type { WriteContext, WriteResult } from './types.ts';
import { updateObject } from './update.ts';
import type { Mutator } from './update.ts';

/** The patch document as a JS value (the HTTP layer may hand over text, bytes or parsed JSON). */
export function decodePatchBody(type: PatchType, body: unknown): unknown {
  let value = body;
  if (value instanceof Uint8Array) {
    value = Buffer.from(value).toString('utf8');
  }
  if (typeof value === 'string') {
    try {
      value = type === PatchType.Apply ? (parseYaml(value) as unknown) : (JSON.parse(value) as unknown);
    } catch (err) {
      throw badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return value;
}

/** The resourceVersion a patch asks to hold (its metadata.resourceVersion), if any. */
export function patchPrecondition(type: PatchType, patch: unknown): string | undefined {
  if (type === PatchType.Json) {
    if (Array.isArray(patch)) {
      for (const op of patch as { op?: unknown; path?: unknown; value?: unknown }[]) {
        if ((op.op === 'replace' || op.op === 'add') && op.path === '/metadata/resourceVersion' && typeof op.value === 'string') {
          return op.value;
        }
      }
    }
    return undefined;
  }
  const meta = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof meta?.resourceVersion === 'string' && meta.resourceVersion !== '' ? meta.resourceVersion : undefined;
}

/** A mutator applying `patch` of `type` to the current object (apply also handles a missing one). */
export function patchMutator(desc: ResourceDescription, type: PatchType, patch: unknown, manager: string, force: boolean, subresource: string | undefined): Mutator {
  const gvk = gvkOf(desc);
  return (cur) => {
    switch (type) {
      case PatchType.Json:
        return applyJsonPatch(cur as KubeObject, patch);
      case PatchType.Merge:
        return applyMergePatch(cur as KubeObject, patch);
      case PatchType.Strategic:
        return applyStrategicMergePatch(gvk, cur as KubeObject, patch);
      default: {
        const applied = patch as KubeObject;
        return serverSideApply(gvk, cur, { ...applied, metadata: { ...(applied.metadata ?? {}) } }, manager, force, subresource, ownershipOptions(desc)).object;
      }
    }
  };
}

/** Checks the patch options like upstream's PatchOptions validation (force, fieldManager) and the type is usable. */
export function checkPatchOptions(desc: ResourceDescription, type: PatchType, ctx: WriteContext, force: boolean): void {
  const isApply = type === PatchType.Apply || type === PatchType.ApplyCbor;
  if (!isApply && force) {
    throw invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueForbidden', field: 'force', message: 'Forbidden: may not be specified for non-apply patch' }]);
  }
  if (isApply && (ctx.fieldManager === undefined || ctx.fieldManager === '')) {
    throw invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }]);
  }
  if (type === PatchType.ApplyCbor) {
    throw unsupportedMediaType(type);
  }
  if (type === PatchType.Strategic && isCustomResource(desc)) {
    // Upstream lists the patch types custom resources accept (the patch module's list).
    throw new StatusError(415, StatusReason.UnsupportedMediaType, `the body of the request was in an unknown format - accepted media types include: ${CUSTOM_RESOURCE_PATCH_TYPES.join(', ')}`);
  }
}

/** PATCH of desc/namespace/name (main resource or status). */
export async function patchObject(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, name: string, type: PatchType, body: unknown, ctx: WriteContext, opts: { force: boolean; subresource?: string }): Promise<WriteResult> {
  checkPatchOptions(desc, type, ctx, opts.force);
  const patch = decodePatchBody(type, body);
  if (type === PatchType.Apply && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) {
    throw badRequest('error decoding YAML: the apply patch must be an object');
  }
  const mutate = patchMutator(desc, type, patch, ctx.fieldManager ?? 'unknown', opts.force, opts.subresource);
  return updateObject(core, desc, namespace, name, ctx, mutate, {
    subresource: opts.subresource,
    allowCreate: type === PatchType.Apply && opts.subresource === undefined,
    precondition: patchPrecondition(type, patch),
    managedFieldsDone: type === PatchType.Apply,
    skipValidation: opts.subresource === 'ephemeralcontainers' || opts.subresource === 'resize',
  });
}
