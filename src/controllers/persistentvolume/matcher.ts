/**
 * Which PersistentVolume a claim binds to, as upstream's FindMatchingVolume over the
 * access-mode index: only volumes whose access modes include every mode the claim asks for,
 * the smallest such mode set first; a volume pre-bound to the claim (claimRef) wins; otherwise
 * the smallest Available volume of the claim's class, with enough capacity, the same volume
 * mode and labels matching the claim's selector.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { parseQuantity, tryParseQuantity } from '../../api/quantity.ts';
import type { Quantity } from '../../api/quantity.ts';
import { labelSelectorFromMeta } from '../../api/selectors/index.ts';
import type { PersistentVolume, PersistentVolumeClaim } from './types.ts';
import { Phase, claimClass, volumeClass } from './types.ts';

type RPV = DeepReadonly<PersistentVolume>;
type RPVC = DeepReadonly<PersistentVolumeClaim>;

const ZERO = parseQuantity('0');

/** The claim's storage request (0 when absent or unparsable). */
export function requestedStorage(claim: RPVC): Quantity {
  return tryParseQuantity(claim.spec?.resources?.requests?.storage) ?? ZERO;
}

/** The volume's storage capacity (0 when absent or unparsable). */
export function volumeCapacity(pv: RPV): Quantity {
  return tryParseQuantity(pv.spec?.capacity?.storage) ?? ZERO;
}

/** Whether the volume's claimRef names this claim (and, when the ref has a uid, this very claim). */
export function isVolumeBoundToClaim(pv: RPV, claim: RPVC): boolean {
  const ref = pv.spec?.claimRef;
  if (ref === undefined || ref === null) {
    return false;
  }
  if (ref.name !== claim.metadata.name || (ref.namespace ?? '') !== (claim.metadata.namespace ?? '')) {
    return false;
  }
  return ref.uid === undefined || ref.uid === '' || ref.uid === claim.metadata.uid;
}

/** Whether every access mode the claim asks for is one the volume offers. */
export function accessModesContained(volumeModes: readonly string[] | undefined, claimModes: readonly string[] | undefined): boolean {
  const offered = new Set(volumeModes ?? []);
  return (claimModes ?? []).every((m) => offered.has(m));
}

/** Upstream's CheckVolumeModeMismatches: an unset mode means Filesystem on both sides. */
export function volumeModeMismatch(pv: RPV, claim: RPVC): boolean {
  return (pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem');
}

/**
 * The best volume for the claim among `volumes` (one access-mode group), or undefined.
 * `delayBinding`: the claim's class waits for a consumer, so only a volume pre-bound to it
 * matches here (the scheduler picks the others). `nodeOk`: the scheduler's node-affinity check;
 * the controller passes none.
 */
export function findMatchingVolume(claim: RPVC, volumes: readonly RPV[], delayBinding: boolean, nodeOk?: (pv: RPV) => boolean): RPV | undefined {
  const requested = requestedStorage(claim);
  const cls = claimClass(claim);
  const selector = claim.spec?.selector === undefined || claim.spec.selector === null ? undefined : labelSelectorFromMeta(claim.spec.selector as never);
  let best: RPV | undefined;
  for (const pv of volumes) {
    const capacity = volumeCapacity(pv);
    if (capacity.cmp(requested) < 0 || volumeModeMismatch(pv, claim) || pv.metadata.deletionTimestamp !== undefined) {
      continue;
    }
    const nodeValid = nodeOk === undefined || nodeOk(pv);
    if (isVolumeBoundToClaim(pv, claim)) {
      // A pre-bound volume is the answer even when its node does not fit: then nothing fits.
      return nodeValid ? pv : undefined;
    }
    if (nodeOk === undefined && delayBinding) {
      continue;
    }
    if (pv.status?.phase !== Phase.Available || (selector !== undefined && !selector.matches(pv.metadata.labels)) || volumeClass(pv) !== cls || !nodeValid) {
      continue;
    }
    if (nodeOk !== undefined && !accessModesContained(pv.spec?.accessModes, claim.spec?.accessModes)) {
      continue;
    }
    if (best === undefined || volumeCapacity(best).cmp(capacity) > 0) {
      best = pv;
    }
  }
  return best;
}

/**
 * The volume for the claim across all volumes: grouped by their access-mode sets, only sets
 * containing the claim's modes, smallest set first (upstream's findByClaim over its index).
 */
export function findBestMatchForClaim(claim: RPVC, volumes: Iterable<RPV>, delayBinding: boolean, nodeOk?: (pv: RPV) => boolean): RPV | undefined {
  const groups = new Map<string, RPV[]>();
  for (const pv of volumes) {
    if (!accessModesContained(pv.spec?.accessModes, claim.spec?.accessModes)) {
      continue;
    }
    const key = [...new Set(pv.spec?.accessModes ?? [])].sort().join(',');
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, [pv]);
    } else {
      g.push(pv);
    }
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => a.split(',').length - b.split(',').length || a.localeCompare(b));
  for (const [, group] of ordered) {
    const found = findMatchingVolume(claim, group, delayBinding, nodeOk);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}
