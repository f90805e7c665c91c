/** PersistentVolume, PersistentVolumeClaim and StorageClass shapes, and the annotations upstream's volume controllers share. */
import type { KubeObject } from '../../api/object.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';

/** An ObjectReference to the claim a volume is bound to. */
export interface ClaimRef {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

/** A node selector term list (PersistentVolume spec.nodeAffinity.required). */
export interface VolumeNodeSelector {
  nodeSelectorTerms: { matchExpressions?: { key: string; operator: string; values?: string[] }[]; matchFields?: { key: string; operator: string; values?: string[] }[] }[];
}

/** The fields of a PersistentVolume the controllers read and write. */
export interface PersistentVolume extends KubeObject {
  spec?: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    claimRef?: ClaimRef | null;
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    volumeMode?: string;
    hostPath?: { path: string; type?: string };
    local?: { path: string; fsType?: string };
    nodeAffinity?: { required?: VolumeNodeSelector };
    mountOptions?: string[];
  };
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

/** The fields of a PersistentVolumeClaim the controllers read and write. */
export interface PersistentVolumeClaim extends KubeObject {
  spec?: {
    accessModes?: string[];
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    volumeName?: string;
    storageClassName?: string | null;
    selector?: LabelSelectorMeta | null;
    volumeMode?: string;
  };
  status?: { phase?: string; capacity?: Record<string, string>; accessModes?: string[] };
}

/** A StorageClass (storage.k8s.io/v1). */
export interface StorageClass extends KubeObject {
  provisioner: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  parameters?: Record<string, string>;
  allowVolumeExpansion?: boolean;
}

export const PVS = { group: '', version: 'v1', resource: 'persistentvolumes' } as const;
export const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims' } as const;
export const STORAGE_CLASSES = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' } as const;

/** Upstream's annotation keys (component-helpers/storage/volume). */
export const Ann = {
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  betaStorageProvisioner: 'volume.beta.kubernetes.io/storage-provisioner',
  selectedNode: 'volume.kubernetes.io/selected-node',
  betaStorageClass: 'volume.beta.kubernetes.io/storage-class',
  isDefaultClass: 'storageclass.kubernetes.io/is-default-class',
  betaIsDefaultClass: 'storageclass.beta.kubernetes.io/is-default-class',
} as const;

export const Phase = { Pending: 'Pending', Available: 'Available', Bound: 'Bound', Released: 'Released', Failed: 'Failed', Lost: 'Lost' } as const;

/** The claim's class: the beta annotation wins over spec.storageClassName, as upstream's GetPersistentVolumeClaimClass. */
export function claimClass(claim: { readonly metadata: { readonly annotations?: Readonly<Record<string, string>> }; readonly spec?: { readonly storageClassName?: string | null } }): string {
  return claim.metadata.annotations?.[Ann.betaStorageClass] ?? claim.spec?.storageClassName ?? '';
}

/** The volume's class (beta annotation, then spec.storageClassName). */
export function volumeClass(pv: { readonly metadata: { readonly annotations?: Readonly<Record<string, string>> }; readonly spec?: { readonly storageClassName?: string } }): string {
  return pv.metadata.annotations?.[Ann.betaStorageClass] ?? pv.spec?.storageClassName ?? '';
}

/** Whether a StorageClass is marked as the cluster default (GA or beta annotation "true"). */
export function isDefaultClass(sc: { readonly metadata: { readonly annotations?: Readonly<Record<string, string>> } }): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[Ann.isDefaultClass] === 'true' || a[Ann.betaIsDefaultClass] === 'true';
}
