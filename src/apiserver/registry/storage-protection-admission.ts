/**
 * Upstream's StorageObjectInUseProtection admission: a new PersistentVolumeClaim gets the
 * `kubernetes.io/pvc-protection` finalizer and a new PersistentVolume `kubernetes.io/pv-protection`,
 * so deleting one that is in use only marks it (Terminating) until the protection controllers
 * see it unused (claims: no scheduled pod refers to them; volumes: not Bound).
 */
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';

/** The finalizers upstream's admission adds, by core resource. */
export const protectionFinalizers: Readonly<Record<string, string>> = {
  persistentvolumeclaims: 'kubernetes.io/pvc-protection',
  persistentvolumes: 'kubernetes.io/pv-protection',
};

/** Adds the protection finalizer to a new claim or volume (once). */
export function admitStorageProtection(desc: ResourceDescription, obj: KubeObject): void {
  const finalizer = desc.group === '' ? protectionFinalizers[desc.resource] : undefined;
  if (finalizer === undefined) {
    return;
  }
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) {
    obj.metadata.finalizers = [...finalizers, finalizer];
  }
}
