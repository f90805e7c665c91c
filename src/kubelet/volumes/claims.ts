/**
 * persistentVolumeClaim volumes on the node: the claim must be Bound; its PersistentVolume's
 * `hostPath` or `local` path is what the containers get (bind-mounted like a hostPath volume).
 * Messages are upstream's kubelet volume manager's, so `kubectl describe pod` reads the same.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import type { RestClient } from '../../client/index.ts';

/** Reads a PersistentVolumeClaim or PersistentVolume (undefined when it does not exist). */
export type ClaimObjectReader = (resource: 'persistentvolumeclaims' | 'persistentvolumes', namespace: string, name: string) => Promise<KubeObject | undefined>;

/** A claim or volume is not usable yet: the pod keeps waiting, as for a missing ConfigMap. */
export class ClaimNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClaimNotReadyError';
  }
}

interface ClaimShape {
  spec?: { volumeName?: string };
  status?: { phase?: string };
}

interface VolumeShape {
  metadata: { annotations?: Record<string, string> };
  spec?: { hostPath?: { path: string; type?: string }; local?: { path: string } };
}

/** A reader over the kubelet's own API client (the Node authorizer lets it read its pods' claims and their volumes). */
export function apiClaimReader(client: RestClient): ClaimObjectReader {
  return async (resource, namespace, name) => {
    try {
      return await client.get({ group: '', version: 'v1', resource, namespace: resource === 'persistentvolumes' ? undefined : namespace, name });
    } catch (e) {
      if (isNotFound(e)) {
        return undefined;
      }
      throw e;
    }
  };
}

/**
 * The host path of the claim's volume, creating the directory when the volume is a hostPath of
 * type DirectoryOrCreate (local-path volumes are made world-writable, as local-path's setup
 * script does). Throws ClaimNotReadyError while the claim is missing or unbound.
 */
export async function claimVolumePath(namespace: string, claimName: string, read: ClaimObjectReader): Promise<string> {
  const claim = (await read('persistentvolumeclaims', namespace, claimName)) as (KubeObject & ClaimShape) | undefined;
  if (claim === undefined) {
    throw new ClaimNotReadyError(`error processing PVC ${namespace}/${claimName}: failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`);
  }
  const volumeName = claim.spec?.volumeName ?? '';
  const phase = claim.status?.phase ?? '';
  if (phase !== 'Bound' || volumeName === '') {
    throw new ClaimNotReadyError(`error processing PVC ${namespace}/${claimName}: PVC is not bound`);
  }
  const pv = (await read('persistentvolumes', '', volumeName)) as (KubeObject & VolumeShape) | undefined;
  if (pv === undefined) {
    throw new ClaimNotReadyError(`error processing PVC ${namespace}/${claimName}: failed to fetch PV ${volumeName} from API server: persistentvolumes "${volumeName}" not found`);
  }
  const hostPath = pv.spec?.hostPath;
  const path = hostPath?.path ?? pv.spec?.local?.path;
  if (path === undefined) {
    throw new ClaimNotReadyError(`error processing PVC ${namespace}/${claimName}: volume ${volumeName} is neither hostPath nor local (no other volume plugin on this node)`);
  }
  const exists = await stat(path).then(() => true, () => false);
  if (!exists) {
    if (hostPath?.type === 'DirectoryOrCreate') {
      const localPath = pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === 'rancher.io/local-path';
      await mkdir(dirname(path), { recursive: true });
      await mkdir(path, { recursive: true });
      await chmod(path, localPath ? 0o777 : 0o755);
    } else {
      throw new ClaimNotReadyError(`MountVolume.NewMounter initialization failed for volume "${volumeName}" : path "${path}" does not exist`);
    }
  }
  return path;
}
