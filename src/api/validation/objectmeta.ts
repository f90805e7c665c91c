/**
 * ObjectMeta validation on create and update (apimachinery api/validation/objectmeta.go plus
 * core's finalizer rule), with upstream's paths and messages.
 */
import type { FieldError } from '../errors.ts';
import type { ObjectMeta } from '../object.ts';
import { asArr, asObj, asStr, child, forbidden, immutable, index, invalid, required, rendered, tooLong, isInt } from './field.ts';
import { byteLength, isDNS1123Label, isQualifiedName, isValidLabelValue } from './names.ts';
import type { NameValidator } from './names.ts';

/** Upper bound on the summed size of an object's annotation keys and values. */
export const TotalAnnotationSizeLimitB = 256 * 1024;

/** Label keys and values (metav1 validation.ValidateLabels). */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const m = asObj(labels);
  if (m === undefined) {
    return errs;
  }
  for (const [k, v] of Object.entries(m)) {
    for (const msg of isQualifiedName(k)) {
      errs.push(invalid(path, k, msg));
    }
    const value = typeof v === 'string' ? v : String(v);
    for (const msg of isValidLabelValue(value)) {
      errs.push(invalid(path, value, msg));
    }
  }
  return errs;
}

/** Annotation keys (qualified names, case-insensitive) and the 256 KiB total size. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const m = asObj(annotations);
  if (m === undefined) {
    return errs;
  }
  let total = 0;
  for (const [k, v] of Object.entries(m)) {
    for (const msg of isQualifiedName(k.toLowerCase())) {
      errs.push(invalid(path, k, msg));
    }
    total += byteLength(k) + byteLength(typeof v === 'string' ? v : String(v));
  }
  if (total > TotalAnnotationSizeLimitB) {
    errs.push(tooLong(path, TotalAnnotationSizeLimitB));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const r of asArr(refs)) {
    const ref = asObj(r) ?? {};
    const apiVersion = asStr(ref.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (version === '') {
      errs.push(invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    }
    if (asStr(ref.kind) === '') {
      errs.push(invalid(child(path, 'kind'), asStr(ref.kind), 'must not be empty'));
    }
    if (asStr(ref.name) === '') {
      errs.push(invalid(child(path, 'name'), asStr(ref.name), 'must not be empty'));
    }
    if (asStr(ref.uid) === '') {
      errs.push(invalid(child(path, 'uid'), asStr(ref.uid), 'must not be empty'));
    }
    if (apiVersion === 'v1' && ref.kind === 'Event') {
      errs.push(invalid(path, rendered('v1.OwnerReference'), '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const name = `${asStr(ref.kind)}/${asStr(ref.name)}`;
      if (firstController !== '') {
        errs.push(invalid(path, rendered('[]v1.OwnerReference'), `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`));
      } else {
        firstController = name;
      }
    }
  }
  return errs;
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateFinalizers(finalizers: unknown, path: string, builtIn: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const list = asArr(finalizers).map((f) => asStr(f));
  list.forEach((f, i) => {
    const msgs = isQualifiedName(f);
    for (const msg of msgs) {
      errs.push(invalid(path, f, msg));
    }
    // Built-in (core-validated) kinds also require a domain unless the name is a standard one.
    if (builtIn && msgs.length === 0 && !f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(invalid(index(path, i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** Options for ObjectMeta validation of one kind. */
export interface MetaOptions {
  /** How names (and generateName prefixes) of this kind are checked. */
  nameFn: NameValidator;
  /** Built-in kinds get core's stricter finalizer rule; custom resources do not. */
  builtIn: boolean;
}

/** ObjectMeta on create: name/generateName, namespace format, generation, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  const generateName = asStr(m.generateName);
  const name = asStr(m.name);
  if (generateName !== '') {
    for (const msg of opts.nameFn(generateName, true)) {
      errs.push(invalid(child(path, 'generateName'), generateName, msg));
    }
  }
  if (name === '') {
    errs.push(required(child(path, 'name'), 'name or generateName is required'));
  } else {
    for (const msg of opts.nameFn(name, false)) {
      errs.push(invalid(child(path, 'name'), name, msg));
    }
  }
  errs.push(...validateMetaCommon(m, opts, path));
  return errs;
}

function validateMetaCommon(m: ObjectMeta, opts: MetaOptions, path: string): FieldError[] {
  const errs: FieldError[] = [];
  // Whether a namespace is required or forbidden is the registry's call (it knows the scope);
  // a namespace that is present must still be a DNS-1123 label.
  const ns = asStr(m.namespace);
  if (ns !== '') {
    for (const msg of isDNS1123Label(ns)) {
      errs.push(invalid(child(path, 'namespace'), ns, msg));
    }
  }
  if (isInt(m.generation) && m.generation < 0) {
    errs.push(invalid(child(path, 'generation'), m.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers'), opts.builtIn));
  return errs;
}

/**
 * ObjectMeta on update: identity fields are immutable, resourceVersion must be set (the
 * registry copies the current one in for unconditional updates, as upstream's store does),
 * generation never decreases, no new finalizers once deletion started.
 */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, opts: MetaOptions, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  const o = old ?? {};
  if (o.deletionTimestamp != null) {
    const before = new Set(asArr(o.finalizers).map(asStr));
    const extra = [...new Set(asArr(m.finalizers).map(asStr))].filter((f) => !before.has(f)).sort();
    if (extra.length > 0) {
      errs.push(forbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if (asStr(m.resourceVersion) === '') {
    errs.push(invalid(child(path, 'resourceVersion'), asStr(m.resourceVersion), 'must be specified for an update'));
  }
  if (isInt(m.generation) && isInt(o.generation) && m.generation < o.generation) {
    errs.push(invalid(child(path, 'generation'), m.generation, 'must not be decremented'));
  }
  errs.push(...immutable(child(path, 'name'), asStr(m.name), asStr(o.name)));
  errs.push(...immutable(child(path, 'namespace'), asStr(m.namespace), asStr(o.namespace)));
  errs.push(...immutable(child(path, 'uid'), asStr(m.uid), asStr(o.uid)));
  errs.push(...immutable(child(path, 'creationTimestamp'), m.creationTimestamp ?? null, o.creationTimestamp ?? null));
  // Setting deletionTimestamp is the registry's graceful-delete path; once set it may not change.
  if (o.deletionTimestamp != null) {
    errs.push(...immutable(child(path, 'deletionTimestamp'), m.deletionTimestamp ?? null, o.deletionTimestamp));
  }
  if (o.deletionGracePeriodSeconds != null) {
    errs.push(...immutable(child(path, 'deletionGracePeriodSeconds'), m.deletionGracePeriodSeconds ?? null, o.deletionGracePeriodSeconds));
  }
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers'), opts.builtIn));
  return errs;
}
