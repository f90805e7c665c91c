/** VolumeBindingDeps over a scheduler's shared informers and client (claims, volumes, classes; PV claimRef and PVC selected-node writes). */
import { PatchType } from '../../../client/index.ts';
import type { RestClient, SharedInformerFactory } from '../../../client/index.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../controllers/persistentvolume/types.ts';
import { Ann, PVCS, PVS, STORAGE_CLASSES } from '../../../controllers/persistentvolume/types.ts';
import type { VolumeBindingDeps } from './volumebinding.ts';

/** Registers the claim, volume and class informers on `factory` (call before it starts) and writes through `client`. */
export function volumeBindingDeps(client: RestClient, factory: SharedInformerFactory, bindTimeoutMs?: number): VolumeBindingDeps {
  const claims = factory.informerFor<PersistentVolumeClaim>(PVCS);
  const volumes = factory.informerFor<PersistentVolume>(PVS);
  const classes = factory.informerFor<StorageClass>(STORAGE_CLASSES);
  return {
    claim: (ns, name) => claims.lister.get(ns, name),
    volume: (name) => volumes.lister.get('', name),
    volumes: () => volumes.lister.list(),
    storageClass: (name) => classes.lister.get('', name),
    prebindVolume: async (pv, claim) => {
      // The resourceVersion makes a volume taken meanwhile fail with 409 (the pod is retried).
      const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion };
      await client.patch({ ...PVS, name: pv.metadata.name }, { metadata: { resourceVersion: pv.metadata.resourceVersion, annotations: { [Ann.boundByController]: 'yes' } }, spec: { claimRef } }, PatchType.Merge);
    },
    selectNode: async (claim, node) => {
      await client.patch({ ...PVCS, namespace: claim.metadata.namespace, name: claim.metadata.name }, { metadata: { annotations: { [Ann.selectedNode]: node } } }, PatchType.Merge);
    },
    bindTimeoutMs,
  };
}
