/**
 * Upstream's DefaultStorageClass admission: a new PersistentVolumeClaim that names no class
 * (spec.storageClassName unset and no beta class annotation) gets the default StorageClass's
 * name; with several defaults the newest wins, as upstream's GetDefaultClass; with none it is
 * left alone (the binder may assign one later).
 */
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { decodeObject, resourcePrefix } from './codec.ts';
import type { RegistryCore } from './core.ts';

const isDefault = (sc: KubeObject): boolean => {
  const a = sc.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
};

/** Sets the default class on a new claim without one. */
export async function admitClaimDefaultClass(core: RegistryCore, desc: ResourceDescription, claim: KubeObject): Promise<void> {
  if (desc.group !== '' || desc.resource !== 'persistentvolumeclaims') {
    return;
  }
  const spec = (claim.spec ??= {}) as { storageClassName?: string | null };
  if ((spec.storageClassName !== undefined && spec.storageClassName !== null) || claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) {
    return;
  }
  const classes = core.lookup('storage.k8s.io', 'storageclasses');
  if (classes === undefined) {
    return;
  }
  const cache = await core.freshCache(classes);
  const all = cache !== undefined ? cache.list(resourcePrefix(classes)) : (await core.storage.list(resourcePrefix(classes))).items.map(decodeObject).filter((o): o is KubeObject => o !== undefined);
  const newest = all.filter(isDefault).sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0];
  if (newest !== undefined) {
    spec.storageClassName = newest.metadata.name;
  }
}
