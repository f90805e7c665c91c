/** Per-kind validators (spec rules beyond ObjectMeta), keyed by `group/Kind`. */
import type { FieldError } from '../errors.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';

/** Validates one kind's object; `old` is set on update. */
export type KindValidator = (obj: KubeObject, old: KubeObject | undefined, gvk: GroupVersionKind) => FieldError[];

/** The kinds with rules of their own. */
export const kindValidators: Record<string, KindValidator> = {};
