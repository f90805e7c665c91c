/**
 * The PersistentVolume binder (upstream `persistentvolume-binder-controller`): binds each pending
 * claim to a matching Available volume (or the volume it names), keeps both objects' phases,
 * asks a class's provisioner for a volume (the storage-provisioner annotations; with
 * WaitForFirstConsumer only once the scheduler picked a node), assigns the default class to
 * claims without one (upstream's retroactive default StorageClass assignment), and releases a
 * volume whose claim is gone. Deleting a released dynamically provisioned volume is its
 * provisioner's job, as with upstream's external provisioners.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { EventType, WorkQueue } from '../../client/index.ts';
import type { EventRecorder, SharedInformer } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { runQueue, unwrap } from '../manager/kit.ts';
import { accessModesContained, findBestMatchForClaim, isVolumeBoundToClaim, requestedStorage, volumeCapacity, volumeModeMismatch } from './matcher.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from './types.ts';
import { Ann, PVCS, PVS, Phase, STORAGE_CLASSES, claimClass, isDefaultClass, volumeClass } from './types.ts';

/** Upstream's registration name. */
export const Name = 'persistentvolume-binder-controller';

/** Upstream's --pvclaimbinder-sync-period default: every claim and volume is looked at again this often. */
const RESYNC_MS = 15_000;

type RPV = DeepReadonly<PersistentVolume>;
type RPVC = DeepReadonly<PersistentVolumeClaim>;

const nowRfc3339 = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const claimKey = (ns: string, name: string): string => `claim:${ns}/${name}`;
const volumeKey = (name: string): string => `volume:${name}`;

/** The default StorageClass (the newest when several claim it, as upstream), if any. */
export function defaultClass(classes: readonly DeepReadonly<StorageClass>[]): DeepReadonly<StorageClass> | undefined {
  return classes.filter(isDefaultClass).sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0];
}

/** Why `pv` cannot serve `claim` (upstream's checkVolumeSatisfyClaim), or undefined when it can. */
export function volumeMismatch(pv: RPV, claim: RPVC): string | undefined {
  if (volumeCapacity(pv).cmp(requestedStorage(claim)) < 0) {
    return 'requested PV is too small';
  }
  if (volumeClass(pv) !== claimClass(claim)) {
    return 'storageClassName does not match';
  }
  if (volumeModeMismatch(pv, claim)) {
    return 'incompatible volumeMode';
  }
  if (!accessModesContained(pv.spec?.accessModes, claim.spec?.accessModes)) {
    return 'incompatible accessMode';
  }
  return undefined;
}

class Binder {
  readonly #ctx: ControllerContext;
  readonly #recorder: EventRecorder;
  readonly #volumes: SharedInformer<PersistentVolume>;
  readonly #claims: SharedInformer<PersistentVolumeClaim>;
  readonly #classes: SharedInformer<StorageClass>;
  readonly queue = new WorkQueue<string>({ name: 'volumes' });

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#recorder = ctx.recorder('persistentvolume-controller');
    this.#volumes = ctx.informers.informerFor<PersistentVolume>(PVS);
    this.#claims = ctx.informers.informerFor<PersistentVolumeClaim>(PVCS);
    this.#classes = ctx.informers.informerFor<StorageClass>(STORAGE_CLASSES);
    const onVolume = (v: RPV): void => {
      this.queue.add(volumeKey(v.metadata.name ?? ''));
      const ref = v.spec?.claimRef;
      if (ref !== undefined && ref !== null) {
        this.queue.add(claimKey(ref.namespace ?? '', ref.name ?? ''));
      }
    };
    this.#volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: (v) => onVolume(unwrap(v)) });
    const onClaim = (c: RPVC): void => {
      this.queue.add(claimKey(c.metadata.namespace ?? '', c.metadata.name ?? ''));
      // A deleted claim releases its volume.
      if (c.spec?.volumeName !== undefined && c.spec.volumeName !== '') {
        this.queue.add(volumeKey(c.spec.volumeName));
      }
    };
    this.#claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c), onDelete: (c) => onClaim(unwrap(c)) });
    // A new (default) class may unblock claims that wait for one.
    this.#classes.addEventHandler({ onAdd: () => this.resync(), onUpdate: () => this.resync() });
  }

  resync(): void {
    for (const c of this.#claims.lister.list()) {
      this.queue.add(claimKey(c.metadata.namespace ?? '', c.metadata.name ?? ''));
    }
    for (const v of this.#volumes.lister.list()) {
      this.queue.add(volumeKey(v.metadata.name ?? ''));
    }
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#volumes.waitForSync(signal), this.#claims.waitForSync(signal), this.#classes.waitForSync(signal)]);
  }

  readonly sync = async (key: string): Promise<void> => {
    try {
      if (key.startsWith('claim:')) {
        const [ns = '', name = ''] = key.slice('claim:'.length).split('/');
        const claim = this.#claims.lister.get(ns, name);
        if (claim !== undefined) {
          await this.#syncClaim(claim);
        }
      } else {
        const pv = this.#volumes.lister.get('', key.slice('volume:'.length));
        if (pv !== undefined) {
          await this.#syncVolume(pv);
        }
      }
      this.queue.forget(key);
    } catch (e) {
      // A conflict means a newer object is on its way through the informer: look again shortly.
      if (isConflict(e) || isNotFound(e)) {
        this.queue.addRateLimited(key);
        return;
      }
      throw e;
    }
  };

  async #syncClaim(claim: RPVC): Promise<void> {
    if (claim.metadata.annotations?.[Ann.bindCompleted] === undefined) {
      await this.#syncUnboundClaim(claim);
      return;
    }
    const volumeName = claim.spec?.volumeName ?? '';
    const pv = volumeName === '' ? undefined : this.#volumes.lister.get('', volumeName);
    if (pv === undefined) {
      if (claim.status?.phase !== Phase.Lost) {
        await this.#claimStatus(claim, Phase.Lost, undefined);
        this.#recorder.event(claim, EventType.Warning, 'ClaimLost', volumeName === '' ? 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!' : 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    const ref = pv.spec?.claimRef;
    if (ref === undefined || ref === null || isVolumeBoundToClaim(pv, claim)) {
      await this.#bind(pv, claim);
      return;
    }
    if (claim.status?.phase !== Phase.Lost) {
      await this.#claimStatus(claim, Phase.Lost, undefined);
      this.#recorder.event(claim, EventType.Warning, 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
    }
  }

  async #syncUnboundClaim(claim: RPVC): Promise<void> {
    const volumeName = claim.spec?.volumeName ?? '';
    if (volumeName !== '') {
      await this.#syncPreboundClaim(claim, volumeName);
      return;
    }
    const noClass = (claim.spec?.storageClassName === undefined || claim.spec.storageClassName === null) && claim.metadata.annotations?.[Ann.betaStorageClass] === undefined;
    if (noClass) {
      const def = defaultClass(this.#classes.lister.list());
      if (def !== undefined) {
        const copy = structuredClone(claim) as PersistentVolumeClaim;
        copy.spec = { ...copy.spec, storageClassName: def.metadata.name };
        await this.#ctx.client.update({ ...PVCS, namespace: claim.metadata.namespace, name: claim.metadata.name }, copy);
        return;
      }
    }
    const className = claimClass(claim);
    const cls = className === '' ? undefined : this.#classes.lister.get('', className);
    const delayBinding = cls?.volumeBindingMode === 'WaitForFirstConsumer' && claim.metadata.annotations?.[Ann.selectedNode] === undefined;
    const pv = findBestMatchForClaim(claim, this.#volumes.lister.list(), delayBinding);
    if (pv !== undefined) {
      await this.#bind(pv, claim);
      return;
    }
    if (delayBinding) {
      this.#recorder.event(claim, EventType.Normal, 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    } else if (className !== '') {
      await this.#provision(claim, className, cls);
    } else {
      this.#recorder.event(claim, EventType.Normal, 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    }
    if (claim.status?.phase !== Phase.Pending) {
      await this.#claimStatus(claim, Phase.Pending, undefined);
    }
  }

  /** Hands the claim to its class's provisioner through the storage-provisioner annotations, as upstream does for external provisioners. */
  async #provision(claim: RPVC, className: string, cls: DeepReadonly<StorageClass> | undefined): Promise<void> {
    if (cls === undefined) {
      this.#recorder.event(claim, EventType.Warning, 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    const provisioner = cls.provisioner;
    if (provisioner === 'kubernetes.io/no-provisioner') {
      this.#recorder.event(claim, EventType.Normal, 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    const ann = claim.metadata.annotations ?? {};
    if (ann[Ann.storageProvisioner] !== provisioner || ann[Ann.betaStorageProvisioner] !== provisioner) {
      const copy = structuredClone(claim) as PersistentVolumeClaim;
      copy.metadata.annotations = { ...copy.metadata.annotations, [Ann.storageProvisioner]: provisioner, [Ann.betaStorageProvisioner]: provisioner };
      await this.#ctx.client.update({ ...PVCS, namespace: claim.metadata.namespace, name: claim.metadata.name }, copy);
    }
    this.#recorder.event(claim, EventType.Normal, 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  }

  /** A claim naming its volume (spec.volumeName set by the user): bind when the volume is free or pre-bound to it. */
  async #syncPreboundClaim(claim: RPVC, volumeName: string): Promise<void> {
    const pv = this.#volumes.lister.get('', volumeName);
    const ref = pv?.spec?.claimRef;
    if (pv !== undefined && (ref === undefined || ref === null)) {
      const why = volumeMismatch(pv, claim);
      if (why === undefined) {
        await this.#bind(pv, claim);
        return;
      }
      this.#recorder.event(claim, EventType.Warning, 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
    } else if (pv !== undefined && isVolumeBoundToClaim(pv, claim)) {
      await this.#bind(pv, claim);
      return;
    } else if (pv !== undefined && claim.metadata.annotations?.[Ann.boundByController] === undefined) {
      this.#recorder.event(claim, EventType.Warning, 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
    }
    if (claim.status?.phase !== Phase.Pending) {
      await this.#claimStatus(claim, Phase.Pending, undefined);
    }
  }

  /** Upstream's bind: volume → claimRef, volume phase Bound, claim → volumeName + annotations, claim phase Bound. Writes only what differs. */
  async #bind(pv: RPV, claim: RPVC): Promise<void> {
    const client = this.#ctx.client;
    let volume = pv;
    const ref = pv.spec?.claimRef;
    if (ref === undefined || ref === null || ref.uid !== claim.metadata.uid || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) {
      const copy = structuredClone(pv) as PersistentVolume;
      copy.spec = { ...copy.spec, claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion } };
      if (!isVolumeBoundToClaim(pv, claim)) {
        copy.metadata.annotations = { ...copy.metadata.annotations, [Ann.boundByController]: 'yes' };
      }
      volume = await client.update<PersistentVolume>({ ...PVS, name: pv.metadata.name }, copy);
    }
    if (volume.status?.phase !== Phase.Bound) {
      volume = await this.#volumeStatus(volume, Phase.Bound);
    }
    let bound = claim;
    const ann = claim.metadata.annotations ?? {};
    if (claim.spec?.volumeName !== volume.metadata.name || ann[Ann.bindCompleted] === undefined) {
      const copy = structuredClone(claim) as PersistentVolumeClaim;
      const annotations: Record<string, string> = { ...copy.metadata.annotations, [Ann.bindCompleted]: 'yes' };
      if (claim.spec?.volumeName !== volume.metadata.name) {
        annotations[Ann.boundByController] = 'yes';
      }
      copy.metadata.annotations = annotations;
      copy.spec = { ...copy.spec, volumeName: volume.metadata.name };
      bound = await client.update<PersistentVolumeClaim>({ ...PVCS, namespace: claim.metadata.namespace, name: claim.metadata.name }, copy);
    }
    const capacity = volume.spec?.capacity;
    const modes = volume.spec?.accessModes;
    if (bound.status?.phase !== Phase.Bound || JSON.stringify(bound.status.capacity) !== JSON.stringify(capacity) || JSON.stringify(bound.status.accessModes) !== JSON.stringify(modes)) {
      await this.#claimStatus(bound, Phase.Bound, volume);
    }
  }

  async #syncVolume(pv: RPV): Promise<void> {
    const ref = pv.spec?.claimRef;
    if (ref === undefined || ref === null || ref.uid === undefined || ref.uid === '') {
      // Free, or pre-bound by the user to a claim that does not exist yet.
      if (pv.status?.phase !== Phase.Available) {
        await this.#volumeStatus(pv, Phase.Available);
      }
      return;
    }
    const found = this.#claims.lister.get(ref.namespace ?? '', ref.name ?? '');
    const claim = found?.metadata.uid === ref.uid ? found : undefined;
    if (claim === undefined) {
      await this.#release(pv);
      return;
    }
    const claimVolume = claim.spec?.volumeName ?? '';
    if (claimVolume === '') {
      // The claim is not bound yet (e.g. a freshly provisioned volume): the claim's sync finishes the binding.
      this.queue.add(claimKey(ref.namespace ?? '', ref.name ?? ''));
      return;
    }
    if (claimVolume === pv.metadata.name) {
      if (pv.status?.phase !== Phase.Bound) {
        await this.#volumeStatus(pv, Phase.Bound);
      }
      return;
    }
    // The claim got another volume.
    if (pv.metadata.annotations?.[Ann.provisionedBy] !== undefined && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      await this.#release(pv);
    } else if (pv.metadata.annotations?.[Ann.boundByController] !== undefined) {
      const copy = structuredClone(pv) as PersistentVolume;
      copy.spec = { ...copy.spec, claimRef: null };
      delete copy.metadata.annotations?.[Ann.boundByController];
      const updated = await this.#ctx.client.update<PersistentVolume>({ ...PVS, name: pv.metadata.name }, copy);
      await this.#volumeStatus(updated, Phase.Available);
    }
  }

  /** The claim is gone: the volume is Released, then reclaimed by its policy. */
  async #release(pv: RPV): Promise<void> {
    let volume: RPV = pv;
    if (pv.status?.phase !== Phase.Released && pv.status?.phase !== Phase.Failed) {
      volume = await this.#volumeStatus(pv, Phase.Released);
    }
    const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain' || volume.status?.phase === Phase.Failed) {
      return;
    }
    // A provisioned volume is deleted by its provisioner; no in-tree plugin of ours can delete or recycle another.
    if (policy === 'Delete' && volume.metadata.annotations?.[Ann.provisionedBy] !== undefined) {
      return;
    }
    const message = policy === 'Delete' ? `error getting deleter volume plugin for volume "${volume.metadata.name ?? ''}": no deletable volume plugin matched` : 'No recycler plugin found for the volume!';
    this.#recorder.event(volume, EventType.Warning, policy === 'Delete' ? 'VolumeFailedDelete' : 'VolumeFailedRecycle', message);
    await this.#volumeStatus(volume, Phase.Failed, message);
  }

  async #volumeStatus(pv: RPV, phase: string, message?: string): Promise<PersistentVolume> {
    const copy = structuredClone(pv) as PersistentVolume;
    copy.status = { ...copy.status, phase, lastPhaseTransitionTime: nowRfc3339() };
    if (message === undefined) {
      delete copy.status.message;
    } else {
      copy.status.message = message;
    }
    return this.#ctx.client.update<PersistentVolume>({ ...PVS, name: pv.metadata.name, subresource: 'status' }, copy);
  }

  async #claimStatus(claim: RPVC, phase: string, pv: RPV | undefined): Promise<void> {
    const copy = structuredClone(claim) as PersistentVolumeClaim;
    copy.status = { ...copy.status, phase };
    if (pv === undefined) {
      if (phase !== Phase.Lost) {
        delete copy.status.capacity;
        delete copy.status.accessModes;
      }
    } else {
      copy.status.capacity = { ...pv.spec?.capacity };
      copy.status.accessModes = [...(pv.spec?.accessModes ?? [])];
    }
    await this.#ctx.client.update({ ...PVCS, namespace: claim.metadata.namespace, name: claim.metadata.name, subresource: 'status' }, copy);
  }
}

/** Factory for the registration table. */
export function persistentVolumeBinderFactory(ctx: ControllerContext): Controller {
  const binder = new Binder(ctx);
  return {
    run: async (_workers, signal) => {
      await binder.waitForSync(signal);
      binder.resync();
      const timer = setInterval(() => binder.resync(), RESYNC_MS);
      try {
        // One worker: a claim and its volume are written in sequence, never by two workers at once.
        await runQueue(binder.queue, 1, signal, binder.sync, ctx.logger);
      } finally {
        clearInterval(timer);
      }
    },
  };
}
