/**
 * The built-in local-path provisioner (k3s's `rancher.io/local-path`, as a controller): for a
 * claim the binder handed to it (storage-provisioner annotation) and, for WaitForFirstConsumer,
 * placed on a node by the scheduler (selected-node annotation), creates the PersistentVolume
 * `pvc-<claim uid>`: a hostPath directory `<root>/pvc-<uid>_<namespace>_<name>` (DirectoryOrCreate:
 * the kubelet makes it when it first mounts it) pinned to that node. A Released volume it made
 * with reclaim policy Delete is deleted. The directory itself stays on the node (deleting it
 * needs the node; upstream runs a helper pod for that). At start it creates the default
 * StorageClass `local-path` when it does not exist, as k3s deploys it.
 */
import { join } from 'node:path';
import type { DeepReadonly } from '../../api/object.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.ts';
import { EventType, WorkQueue } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { runQueue, unwrap } from '../manager/kit.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../persistentvolume/types.ts';
import { Ann, PVCS, PVS, Phase, STORAGE_CLASSES, claimClass } from '../persistentvolume/types.ts';

/** Registration name. */
export const Name = 'local-path-provisioner';
/** The provisioner name k3s's local-path-provisioner registers. */
export const PROVISIONER = 'rancher.io/local-path';
/** Where volumes go without --local-path-root or a class `nodePath` parameter. */
export const DEFAULT_ROOT = '/var/lib/k8ts/storage';

/** The StorageClass k3s ships: the cluster default, volumes made on the consumer's node, deleted with their claim. */
export function localPathStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { [Ann.isDefaultClass]: 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** Why the claim cannot get a local-path volume, or undefined (local-path-provisioner's checks). */
export function provisionError(claim: DeepReadonly<PersistentVolumeClaim>, node: string | undefined): string | undefined {
  if ((claim.spec?.accessModes ?? []).some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod')) {
    return 'NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes';
  }
  if (claim.spec?.selector !== undefined && claim.spec.selector !== null) {
    return 'claim.Spec.Selector is not supported';
  }
  if (node === undefined || node === '') {
    return 'configuration error, no node was specified';
  }
  return undefined;
}

/** The PersistentVolume local-path makes for `claim` of class `cls` on `node` under `root`. */
export function volumeFor(claim: DeepReadonly<PersistentVolumeClaim>, cls: DeepReadonly<StorageClass>, node: string, root: string): PersistentVolume {
  const ns = claim.metadata.namespace ?? '';
  const name = claim.metadata.name ?? '';
  const uid = claim.metadata.uid ?? '';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pvc-${uid}`, annotations: { [Ann.provisionedBy]: PROVISIONER, 'local.path.provisioner/selected-node': node } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '0' },
      accessModes: [...(claim.spec?.accessModes ?? ['ReadWriteOnce'])],
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: cls.metadata.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name, uid, resourceVersion: claim.metadata.resourceVersion },
      hostPath: { path: join(root, `pvc-${uid}_${ns}_${name}`), type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
    },
  };
}

/** Whether `claim` is this provisioner's to provision now (annotated for it, unbound, placed when its class waits for a consumer). */
export function wantsVolume(claim: DeepReadonly<PersistentVolumeClaim>, cls: DeepReadonly<StorageClass> | undefined): boolean {
  const ann = claim.metadata.annotations ?? {};
  if ((ann[Ann.storageProvisioner] ?? ann[Ann.betaStorageProvisioner]) !== PROVISIONER || cls?.provisioner !== PROVISIONER) {
    return false;
  }
  if ((claim.spec?.volumeName ?? '') !== '' || claim.metadata.deletionTimestamp !== undefined || claim.status?.phase === Phase.Bound) {
    return false;
  }
  return cls.volumeBindingMode !== 'WaitForFirstConsumer' || (ann[Ann.selectedNode] ?? '') !== '';
}

/** Factory for the registration table; the root comes from --local-path-root (a class's `nodePath` parameter wins). */
export function localPathProvisionerFactory(ctx: ControllerContext): Controller {
  const flag = ctx.options.flags['local-path-root'];
  const defaultRoot = typeof flag === 'string' && flag !== '' ? flag : DEFAULT_ROOT;
  const queue = new WorkQueue<string>({ name: 'local_path_provisioner' });
  const claims = ctx.informers.informerFor<PersistentVolumeClaim>(PVCS);
  const volumes = ctx.informers.informerFor<PersistentVolume>(PVS);
  const classes = ctx.informers.informerFor<StorageClass>(STORAGE_CLASSES);
  const recorder = ctx.recorder(`${PROVISIONER}_${Name}`);
  claims.addEventHandler({ onAdd: (c) => queue.add(`claim:${c.metadata.namespace ?? ''}/${c.metadata.name ?? ''}`), onUpdate: (_o, c) => queue.add(`claim:${c.metadata.namespace ?? ''}/${c.metadata.name ?? ''}`) });
  const onVolume = (v: DeepReadonly<PersistentVolume>): void => {
    if (v.metadata.annotations?.[Ann.provisionedBy] === PROVISIONER) {
      queue.add(`volume:${v.metadata.name ?? ''}`);
    }
  };
  volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: (v) => onVolume(unwrap(v)) });

  const syncClaim = async (ns: string, name: string): Promise<void> => {
    const claim = claims.lister.get(ns, name);
    const cls = claim === undefined ? undefined : classes.lister.get('', claimClass(claim));
    if (claim === undefined || cls === undefined || !wantsVolume(claim, cls)) {
      return;
    }
    const pvName = `pvc-${claim.metadata.uid ?? ''}`;
    if (volumes.lister.get('', pvName) !== undefined) {
      return;
    }
    const node = claim.metadata.annotations?.[Ann.selectedNode];
    const why = provisionError(claim, node);
    if (why !== undefined || node === undefined) {
      recorder.event(claim, EventType.Warning, 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata.name ?? ''}": ${why ?? ''}`);
      return;
    }
    recorder.event(claim, EventType.Normal, 'Provisioning', `External provisioner is provisioning volume for claim "${ns}/${name}"`);
    const root = cls.parameters?.nodePath ?? defaultRoot;
    try {
      await ctx.client.create({ ...PVS }, volumeFor(claim, cls, node, root));
    } catch (e) {
      if (!isAlreadyExists(e)) {
        recorder.event(claim, EventType.Warning, 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata.name ?? ''}": ${(e as Error).message}`);
        throw e;
      }
    }
    recorder.event(claim, EventType.Normal, 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    ctx.logger('info', `${Name}: provisioned ${pvName} for claim ${ns}/${name} on node ${node}`);
  };

  const syncVolume = async (name: string): Promise<void> => {
    const pv = volumes.lister.get('', name);
    if (pv === undefined || pv.status?.phase !== Phase.Released || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata.deletionTimestamp !== undefined) {
      return;
    }
    try {
      await ctx.client.delete({ ...PVS, name }, { preconditions: { uid: pv.metadata.uid } });
      ctx.logger('info', `${Name}: deleted released volume ${name} (its directory ${pv.spec.hostPath?.path ?? ''} stays on the node)`);
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) {
        throw e;
      }
    }
  };

  const sync = async (key: string): Promise<void> => {
    if (key.startsWith('claim:')) {
      const [ns = '', name = ''] = key.slice('claim:'.length).split('/');
      await syncClaim(ns, name);
    } else {
      await syncVolume(key.slice('volume:'.length));
    }
  };

  return {
    run: async (_workers, signal) => {
      await Promise.all([claims.waitForSync(signal), volumes.waitForSync(signal), classes.waitForSync(signal)]);
      if (classes.lister.get('', 'local-path') === undefined) {
        await ctx.client.create({ ...STORAGE_CLASSES }, localPathStorageClass()).catch((e: unknown) => {
          if (!isAlreadyExists(e)) {
            ctx.logger('error', `${Name}: creating StorageClass local-path: ${(e as Error).message}`);
          }
        });
      }
      // One worker: a claim is never provisioned twice at once.
      await runQueue(queue, 1, signal, sync, ctx.logger);
    },
  };
}
