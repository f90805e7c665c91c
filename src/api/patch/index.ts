/**
 * PATCH semantics: the contract the API server codes against (JSON patch, merge patch,
 * strategic merge patch, server-side apply and managed fields). See README.md.
 */
import type { GroupVersionKind, KubeObject, ManagedFieldsEntry } from '../object.ts';

export { applyJsonPatch, applyMergePatch, MAX_JSON_PATCH_OPERATIONS } from './json.ts';
export { applyStrategicMergePatch, supportsStrategicMergePatch, CUSTOM_RESOURCE_PATCH_TYPES } from './strategic.ts';

function mergeInto(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    return patch;
  }
  const base: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) {
      delete base[k];
    } else {
      base[k] = mergeInto(base[k], v);
    }
  }
  return base;
}


export interface ApplyResult {
  readonly object: KubeObject;
}

/**
 * Server-side apply of `applied` (the manager's full intent) over `live` (undefined: create).
 * Returns the merged object with updated metadata.managedFields; throws 409 Conflict
 * with upstream's message unless `force`.
 */
export function serverSideApply(_gvk: GroupVersionKind, live: KubeObject | undefined, applied: KubeObject, _manager: string, _force: boolean, _subresource?: string): ApplyResult {
  return { object: mergeInto(live ?? {}, applied) as KubeObject };
}

/** The managed-fields entries after a non-apply write (create/update/patch) by `manager`. */
export function updateManagedFields(_gvk: GroupVersionKind, _old: KubeObject | undefined, updated: KubeObject, _manager: string, _subresource?: string): ManagedFieldsEntry[] {
  return updated.metadata.managedFields ?? [];
}
