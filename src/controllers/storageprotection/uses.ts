/**
 * When a pod keeps a claim from going, and when a volume does: the decisions of upstream's
 * pvc-protection and pv-protection controllers, free of any client.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { ephemeralClaimName } from '../../api/pod-references.ts';
import type { PersistentVolume } from '../persistentvolume/types.ts';

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

/** The pod fields the decision reads. */
export interface VolumePod extends KubeObject {
  spec?: { nodeName?: string; volumes?: { name: string; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown }[] };
  status?: { phase?: string };
}

/** Done with by the kubelet, or force-deleted: deleting with a zero grace period (upstream's podIsShutDown). */
function isShutDown(pod: DeepReadonly<VolumePod>): boolean {
  return pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionGracePeriodSeconds === 0;
}

/**
 * Whether `pod` uses the claim `name` (in the pod's namespace), as upstream decides: only a
 * scheduled pod counts (the kubelet refuses to start one whose claim is being deleted); a
 * persistentVolumeClaim volume naming it counts even once the pod finished; a generic
 * ephemeral volume's claim (`<pod>-<volume>`) counts until the pod is shut down.
 */
export function podUsesClaim(pod: DeepReadonly<VolumePod>, name: string): boolean {
  if ((pod.spec?.nodeName ?? '') === '') {
    return false;
  }
  return (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name || (v.ephemeral !== undefined && !isShutDown(pod) && ephemeralClaimName(pod.metadata.name, v.name) === name));
}

/** Claim names (in the pod's namespace) a pod event may free: every claim of a deleted, finished or unscheduled pod. */
export function claimsFreedBy(pod: DeepReadonly<VolumePod>, deleted: boolean): string[] {
  const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  if (!deleted && !finished && (pod.spec?.nodeName ?? '') !== '') {
    return [];
  }
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName !== undefined ? [v.persistentVolumeClaim.claimName] : v.ephemeral !== undefined ? [ephemeralClaimName(pod.metadata.name, v.name)] : []));
}

/** A volume is in use while it is Bound (upstream's pv-protection). */
export function volumeInUse(pv: DeepReadonly<PersistentVolume>): boolean {
  return pv.status?.phase === 'Bound';
}

/** What the controller does with an object carrying (or owed) `finalizer`: add it, remove it once unused, or nothing. */
export function protectionAction(obj: DeepReadonly<KubeObject>, finalizer: string): 'add' | 'release' | undefined {
  const has = (obj.metadata.finalizers ?? []).includes(finalizer);
  if (obj.metadata.deletionTimestamp === undefined) {
    return has ? undefined : 'add';
  }
  return has ? 'release' : undefined;
}
