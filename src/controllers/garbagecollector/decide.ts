/** The garbage collector's decisions as pure functions: classify an object's owners, pick the action. */
import type { DeepReadonly, KubeObject, OwnerReference } from '../../api/object.ts';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** An owner as looked up live: absent (404 or another uid), or the object found. */
export type OwnerState = { readonly kind: 'absent' } | { readonly kind: 'present'; readonly obj: DeepReadonly<KubeObject> } | { readonly kind: 'unknown' };

/** Owners split like upstream's classifyReferences. */
export interface OwnerClasses {
  readonly solid: readonly DeepReadonly<OwnerReference>[];
  readonly dangling: readonly DeepReadonly<OwnerReference>[];
  readonly waitingForDependentsDeletion: readonly DeepReadonly<OwnerReference>[];
}

/** True when the object is being deleted in foreground (its dependents go first). */
export function isDeletingDependents(obj: DeepReadonly<KubeObject>): boolean {
  return obj.metadata.deletionTimestamp !== undefined && (obj.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER);
}

/** Splits owner references into solid, dangling (owner gone) and waiting (owner deleting in foreground). */
export function classifyOwners(refs: readonly DeepReadonly<OwnerReference>[], state: (ref: DeepReadonly<OwnerReference>) => OwnerState): OwnerClasses {
  const solid: DeepReadonly<OwnerReference>[] = [];
  const dangling: DeepReadonly<OwnerReference>[] = [];
  const waiting: DeepReadonly<OwnerReference>[] = [];
  for (const ref of refs) {
    const s = state(ref);
    if (s.kind === 'absent') {
      dangling.push(ref);
    } else if (s.kind === 'present' && isDeletingDependents(s.obj)) {
      waiting.push(ref);
    } else {
      // Unknown kinds count as solid: never delete on a guess.
      solid.push(ref);
    }
  }
  return { solid, dangling, waitingForDependentsDeletion: waiting };
}

/** What to do with an object whose owners have been classified. */
export type GcAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'removeOwnerRefs'; readonly uids: readonly string[] }
  | { readonly kind: 'delete'; readonly policy: 'Background' | 'Foreground' | 'Orphan' };

/** Upstream's attemptToDeleteItem decision table. */
export function decide(obj: DeepReadonly<KubeObject>, classes: OwnerClasses, hasDependents: boolean): GcAction {
  const { solid, dangling, waitingForDependentsDeletion: waiting } = classes;
  if (solid.length > 0) {
    const uids = [...dangling, ...waiting].map((r) => r.uid);
    return uids.length === 0 ? { kind: 'none' } : { kind: 'removeOwnerRefs', uids };
  }
  if (waiting.length > 0 && hasDependents) {
    return { kind: 'delete', policy: 'Foreground' };
  }
  const finalizers = obj.metadata.finalizers ?? [];
  if (finalizers.includes(ORPHAN_FINALIZER)) {
    return { kind: 'delete', policy: 'Orphan' };
  }
  if (finalizers.includes(FOREGROUND_FINALIZER)) {
    return { kind: 'delete', policy: 'Foreground' };
  }
  return { kind: 'delete', policy: 'Background' };
}
