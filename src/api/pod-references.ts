/**
 * The API objects a pod spec names: secrets, configmaps, PVCs, its service account. The Node
 * authorizer's graph is built from them, and static pods (which the kubelet runs without the API
 * server) may not name any, as upstream's kubelet and NodeRestriction enforce.
 */
import type { KubeObject } from './object.ts';

/** A reference from a pod: `<resource>/<namespace>/<name>`. */
export type PodRef = string;

interface NameRef { name?: string }
interface Container {
  env?: { valueFrom?: { secretKeyRef?: NameRef; configMapKeyRef?: NameRef } }[];
  envFrom?: { secretRef?: NameRef; configMapRef?: NameRef }[];
}
interface ProjectedSource {
  secret?: NameRef;
  configMap?: NameRef;
  [source: string]: unknown;
}
interface Volume {
  name?: string;
  secret?: { secretName?: string };
  configMap?: NameRef;
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
  projected?: { sources?: ProjectedSource[] };
  // Every in-tree and CSI volume source that names a secret carries it under one of these.
  [source: string]: unknown;
}
interface PodSpecShape {
  serviceAccountName?: string;
  imagePullSecrets?: NameRef[];
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
  resourceClaims?: unknown[];
}

/** The claim a pod's generic ephemeral volume uses: `<pod>-<volume>` (upstream's ephemeral.VolumeClaimName). */
export function ephemeralClaimName(podName: string | undefined, volumeName: string): string {
  return `${podName ?? ''}-${volumeName}`;
}

/** What a pod references as `<resource>/<namespace>/<name>` (secrets, configmaps, PVCs, its service account). */
export function podReferences(obj: KubeObject): PodRef[] {
  const ns = obj.metadata.namespace ?? '';
  const spec = (obj.spec ?? {}) as PodSpecShape;
  const out = new Set<PodRef>();
  const add = (resource: string, name: string | undefined): void => {
    if (name !== undefined && name !== '') {
      out.add(`${resource}/${ns}/${name}`);
    }
  };
  add('serviceaccounts', spec.serviceAccountName ?? 'default');
  for (const s of spec.imagePullSecrets ?? []) {
    add('secrets', s.name);
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add('secrets', e.valueFrom?.secretKeyRef?.name);
      add('configmaps', e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('secrets', e.secretRef?.name);
      add('configmaps', e.configMapRef?.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    add('secrets', v.secret?.secretName);
    add('configmaps', v.configMap?.name);
    add('persistentvolumeclaims', v.persistentVolumeClaim?.claimName);
    if (v.ephemeral !== undefined && v.name !== undefined) {
      add('persistentvolumeclaims', ephemeralClaimName(obj.metadata.name, v.name));
    }
    for (const p of v.projected?.sources ?? []) {
      add('secrets', p.secret?.name);
      add('configmaps', p.configMap?.name);
    }
    // CSI, iSCSI, RBD, CephFS, Azure, ... name their credentials `secretRef` / `nodePublishSecretRef`.
    for (const source of Object.values(v)) {
      if (typeof source === 'object' && source !== null) {
        const s = source as { secretRef?: NameRef; nodePublishSecretRef?: NameRef };
        add('secrets', s.secretRef?.name);
        add('secrets', s.nodePublishSecretRef?.name);
      }
    }
  }
  return [...out];
}

// Volume sources that need nothing from the API server.
const localVolumeSources = new Set([
  'awsElasticBlockStore', 'azureDisk', 'cephfs', 'cinder', 'downwardAPI', 'emptyDir', 'fc', 'flexVolume', 'flocker',
  'gcePersistentDisk', 'gitRepo', 'hostPath', 'image', 'iscsi', 'nfs', 'photonPersistentDisk', 'portworxVolume',
  'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
]);

// What each API-backed volume source references, in upstream's words.
const apiVolumeSources: Readonly<Record<string, string>> = {
  configMap: 'configmaps (via configmap volumes)',
  secret: 'secrets (via secret volumes)',
  csi: 'csidrivers (via CSI volumes)',
  glusterfs: 'endpoints (via glusterFS volumes)',
  persistentVolumeClaim: 'persistentvolumeclaims',
  ephemeral: 'persistentvolumeclaims (via ephemeral volumes)',
  azureFile: 'secrets (via azureFile volumes)',
};

const apiProjectedSources: Readonly<Record<string, string>> = {
  configMap: 'configmaps (via projected volumes)',
  secret: 'secrets (via projected volumes)',
  serviceAccountToken: 'serviceaccounts (via projected volumes)',
  clusterTrustBundle: 'clustertrustbundles',
  podCertificate: 'podcertificates',
};

/**
 * The first kind of API object a pod references, worded as upstream's HasAPIObjectReference
 * (`serviceaccounts`, `secrets`, `configmaps (via projected volumes)`, ...), or undefined when it
 * references none. Throws on a volume source it does not know, as upstream refuses those too.
 */
export function apiObjectReference(pod: KubeObject): string | undefined {
  const spec = (pod.spec ?? {}) as PodSpecShape;
  if ((spec.serviceAccountName ?? '') !== '') {
    return 'serviceaccounts';
  }
  const refs = podReferences(pod);
  for (const resource of ['secrets', 'configmaps']) {
    if (refs.some((r) => r.startsWith(`${resource}/`))) {
      return resource;
    }
  }
  if ((spec.resourceClaims ?? []).length > 0) {
    return 'resourceclaims';
  }
  for (const v of spec.volumes ?? []) {
    const source = Object.keys(v).find((k) => k !== 'name');
    if (source === undefined || localVolumeSources.has(source)) {
      continue;
    }
    const api = apiVolumeSources[source];
    if (api !== undefined) {
      return api;
    }
    if (source !== 'projected') {
      throw new Error(`unknown volume type for volume  "${v.name ?? ''}"`);
    }
    for (const p of v.projected?.sources ?? []) {
      const kind = Object.keys(p)[0];
      if (kind === 'downwardAPI') {
        continue;
      }
      const projected = kind === undefined ? undefined : apiProjectedSources[kind];
      if (projected === undefined) {
        throw new Error(`unknown source for projected volume "${v.name ?? ''}"`);
      }
      return projected;
    }
  }
  return undefined;
}
