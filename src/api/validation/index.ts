/**
 * Validation with upstream's rules and messages: the contract the registry codes against.
 * The validation module owns this folder; this first body accepts everything.
 */
import type { FieldError } from '../errors.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';

/** Field errors for a create (old undefined) or an update of `obj`; empty when valid. */
export function validateObject(_gvk: GroupVersionKind, _obj: KubeObject, _old?: KubeObject): FieldError[] {
  return [];
}
