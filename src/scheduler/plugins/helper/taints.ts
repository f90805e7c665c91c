/** Toleration matching (upstream v1helper.TolerationsTolerateTaint). */
import type { DeepReadonly } from '../../../api/object.ts';
import type { Taint, Toleration } from '../../types.ts';

/** True if the toleration tolerates the taint: same effect (or any), same key (or any with Exists), and value for Equal. */
export function tolerates(t: DeepReadonly<Toleration>, taint: DeepReadonly<Taint>): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) {
    return false;
  }
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) {
    return false;
  }
  const op = t.operator === undefined || t.operator === '' ? 'Equal' : t.operator;
  if (op === 'Exists') {
    return true;
  }
  return op === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

/** True if any toleration tolerates the taint. */
export function anyTolerates(tolerations: readonly DeepReadonly<Toleration>[] | undefined, taint: DeepReadonly<Taint>): boolean {
  if (tolerations === undefined) {
    return false;
  }
  for (const t of tolerations) {
    if (tolerates(t, taint)) {
      return true;
    }
  }
  return false;
}

/** The first taint with an effect in `effects` that no toleration tolerates. */
export function firstUntolerated(taints: readonly DeepReadonly<Taint>[] | undefined, tolerations: readonly DeepReadonly<Toleration>[] | undefined, effects: (effect: string) => boolean): DeepReadonly<Taint> | undefined {
  if (taints === undefined) {
    return undefined;
  }
  for (const taint of taints) {
    if (effects(taint.effect) && !anyTolerates(tolerations, taint)) {
      return taint;
    }
  }
  return undefined;
}
