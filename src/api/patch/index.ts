/**
 * PATCH semantics: the contract the API server codes against. The patch module owns
 * this folder; these first bodies are placeholders (plain merge) until it lands.
 */
import type { GroupVersionKind, KubeObject, ManagedFieldsEntry } from '../object.ts';

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

/** RFC 6902 JSON patch. Throws StatusError (422/400) on a failed op or `test`. */
export function applyJsonPatch(_obj: KubeObject, _patch: unknown): KubeObject {
  throw new Error('json patch: not implemented yet');
}

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(obj: KubeObject, patch: unknown): KubeObject {
  return mergeInto(obj, patch) as KubeObject;
}

/** Strategic merge patch with upstream's merge keys and directives; CRDs fall back to merge patch like upstream. */
export function applyStrategicMergePatch(_gvk: GroupVersionKind, obj: KubeObject, patch: unknown): KubeObject {
  return mergeInto(obj, patch) as KubeObject;
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
