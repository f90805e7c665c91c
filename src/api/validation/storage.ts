/** PersistentVolume and PersistentVolumeClaim validation. */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { VolumeSourceFields } from '../defaults/pod.ts';
import { asArr, asObj, asStr, child, deepEqual, forbidden, index, invalid, key, notSupported, rendered, required } from './field.ts';
import type { Obj } from './field.ts';
import { isDNS1123Subdomain } from './names.ts';
import { quantityAt, validateResourceQuantityValue } from './resources.ts';
import { validateLabelSelector } from './labelselector.ts';

const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const volumeModes = ['Block', 'Filesystem'];
const reclaimPolicies = ['Delete', 'Recycle', 'Retain'];
/** PV sources: the pod volume sources that make sense for a PersistentVolume, plus `local`. */
const pvSources = [...VolumeSourceFields.filter((s) => !['emptyDir', 'secret', 'configMap', 'downwardAPI', 'projected', 'persistentVolumeClaim', 'gitRepo', 'ephemeral', 'image'].includes(s)), 'local'];

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldError[] {
  const list = asArr(modes);
  const errs: FieldError[] = [];
  if (list.length === 0) {
    errs.push(required(path, requiredDetail));
  }
  for (const m of list) {
    if (!accessModes.includes(asStr(m))) {
      errs.push(notSupported(path, m, accessModes));
    }
  }
  if (list.includes('ReadWriteOncePod') && list.length > 1) {
    errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

function validateStorageClassName(spec: Obj, path: string): FieldError[] {
  const sc = spec.storageClassName;
  return typeof sc === 'string' && sc !== '' ? isDNS1123Subdomain(sc).map((m) => invalid(path, sc, m)) : [];
}

/** ValidatePersistentVolume. */
export function validatePersistentVolume(pv: KubeObject): FieldError[] {
  const spec = asObj(pv.spec) ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', ''));
  const capacity = asObj(spec.capacity) ?? {};
  if (Object.keys(capacity).length === 0) {
    errs.push(required('spec.capacity', ''));
  }
  if (Object.keys(capacity).length > 0 && (!('storage' in capacity) || Object.keys(capacity).length > 1)) {
    errs.push(notSupported('spec.capacity', rendered(`core.ResourceList{${Object.keys(capacity).map((k) => `"${k}"`).join(', ')}}`), ['storage']));
  }
  for (const [name, raw] of Object.entries(capacity)) {
    const q = quantityAt(raw, key('spec.capacity', name), errs);
    if (q !== undefined) {
      errs.push(...validateResourceQuantityValue(name, q, key('spec.capacity', name)));
    }
  }
  const policy = spec.persistentVolumeReclaimPolicy;
  if (typeof policy === 'string' && policy !== '' && !reclaimPolicies.includes(policy)) {
    errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, reclaimPolicies));
  }
  errs.push(...validateStorageClassName(spec, 'spec.storageClassName'));
  const mode = spec.volumeMode;
  if (typeof mode === 'string' && !volumeModes.includes(mode)) {
    errs.push(notSupported('spec.volumeMode', mode, volumeModes));
  }
  let sources = 0;
  for (const s of pvSources) {
    const src = asObj(spec[s]);
    if (src === undefined) {
      continue;
    }
    sources++;
    if (sources > 1) {
      errs.push(forbidden(child('spec', s), 'may not specify more than 1 volume type'));
      continue;
    }
    if ((s === 'hostPath' || s === 'local') && asStr(src.path) === '') {
      errs.push(required(child('spec', s, 'path'), ''));
    }
    if (s === 'csi' && asStr(src.driver) === '') {
      errs.push(required('spec.csi.driver', ''));
    }
  }
  if (sources === 0) {
    errs.push(required('spec', 'must specify a volume type'));
  }
  return errs;
}

/** ValidatePersistentVolumeClaimSpec (used by PVCs, ephemeral volumes and StatefulSet templates). */
export function validatePersistentVolumeClaimSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, child(path, 'accessModes'), 'at least 1 access mode is required'));
  if (spec.selector != null) {
    errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  }
  const storagePath = key(child(path, 'resources'), 'storage');
  const requests = asObj(asObj(spec.resources)?.requests) ?? {};
  if (!('storage' in requests)) {
    errs.push(required(storagePath, ''));
  } else {
    const q = quantityAt(requests.storage, storagePath, errs);
    if (q !== undefined && q.sign() <= 0) {
      errs.push(invalid(storagePath, q.toString(), 'must be greater than zero'));
    }
  }
  errs.push(...validateStorageClassName(spec, child(path, 'storageClassName')));
  const mode = spec.volumeMode;
  if (typeof mode === 'string' && !volumeModes.includes(mode)) {
    errs.push(notSupported(child(path, 'volumeMode'), mode, volumeModes));
  }
  return errs;
}

/** PVC on create and update: spec immutable except requests (growth) and volumeAttributesClassName. */
export function validatePersistentVolumeClaim(pvc: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(pvc.spec) ?? {};
  const errs = validatePersistentVolumeClaimSpec(spec, 'spec');
  if (old !== undefined) {
    const oldSpec = asObj(old.spec) ?? {};
    const strip = (s: Obj): Obj => {
      const copy: Obj = { ...s, volumeAttributesClassName: undefined };
      const resources = asObj(s.resources);
      if (resources !== undefined) {
        copy.resources = { ...resources, requests: undefined };
      }
      // volumeName may be set once by the binder.
      if (asStr(oldSpec.volumeName) === '') {
        copy.volumeName = undefined;
      }
      // A claim without a class may get one later (upstream's validateStorageClassUpgradeFromNil:
      // the binder's retroactive default class assignment).
      if ((oldSpec.storageClassName === undefined || oldSpec.storageClassName === null) && old.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] === undefined) {
        copy.storageClassName = undefined;
      }
      return JSON.parse(JSON.stringify(copy)) as Obj;
    };
    if (!deepEqual(strip(spec), strip(oldSpec))) {
      errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
  }
  return errs;
}

/** StatefulSet volumeClaimTemplates reuse the claim spec rules. */
export function validateVolumeClaimTemplates(templates: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(templates).forEach((t, i) => {
    errs.push(...validatePersistentVolumeClaimSpec(asObj(asObj(t)?.spec) ?? {}, child(index(path, i), 'spec')));
  });
  return errs;
}
