/**
 * PATCH semantics: the contract the API server codes against (JSON patch, merge patch,
 * strategic merge patch, server-side apply and managed fields). See README.md.
 */
export { applyJsonPatch, applyMergePatch, MAX_JSON_PATCH_OPERATIONS } from './json.ts';
export { applyStrategicMergePatch, supportsStrategicMergePatch, CUSTOM_RESOURCE_PATCH_TYPES } from './strategic.ts';

export { serverSideApply, updateManagedFields, LAST_APPLIED_ANNOTATION, BEFORE_FIRST_APPLY } from './apply.ts';
export type { OwnershipOptions } from './apply.ts';
export type { ApplyResult } from './apply.ts';
