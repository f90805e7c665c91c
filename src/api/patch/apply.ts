/**
 * Server-side apply and managed-fields tracking for ordinary writes, following upstream's
 * fieldmanager (apiserver) over structured-merge-diff's Updater: apply merges the applied
 * configuration into the live object, prunes fields the applier dropped and nobody else
 * owns, and fails with 409 when it would change another manager's fields unless forced.
 */
import { badRequest, StatusError } from '../errors.ts';
import type { StatusReason } from '../errors.ts';
import type { GroupVersionKind, KubeObject, ManagedFieldsEntry } from '../object.ts';
import { FieldSet } from './fieldpath.ts';
import { canonicalJson, clone, deepEqual, isObject } from './json-values.ts';
import type { JsonObject } from './json-values.ts';
import { capUpdateManagers, conflictError, decodeManagers, encodeManagers, entryApiVersion, ignoredPaths, managedFieldsTime, managerKey, stripIgnored } from './managed.ts';
import { createdFieldsV1 } from './created.ts';
import type { Comparison } from './typed.ts';
import type { Conflict, Manager, OwnershipOptions } from './managed.ts';

export type { OwnershipOptions } from './managed.ts';
import { compare, listKeyErrors, mergeValues, removeUnowned, toFieldSet } from './typed.ts';
import { rootCursor } from './types.ts';
import { zeroValueFor } from './zero.ts';
import type { TypeCursor } from './types.ts';

/** kubectl's client-side apply annotation. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The manager upstream credits with the fields of an object that had no managedFields when first applied. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

/** The result of a server-side apply: the merged object, managedFields filled in. */
export interface ApplyResult {
  readonly object: KubeObject;
}

function withoutManagedFields(obj: KubeObject): JsonObject {
  const copy = clone(obj) as JsonObject;
  const meta = copy.metadata;
  if (isObject(meta)) {
    delete meta.managedFields;
  }
  return copy;
}

/** obj without metadata.managedFields for read-only comparison: a shallow view, nothing below metadata copied. */
function viewWithoutManagedFields(obj: KubeObject): JsonObject {
  const meta: unknown = obj.metadata;
  if (!isObject(meta) || !Object.hasOwn(meta, 'managedFields')) {
    return obj as unknown as JsonObject;
  }
  const { managedFields: _mf, ...rest } = meta;
  return { ...(obj as unknown as JsonObject), metadata: rest };
}

function stripComparison(gvk: GroupVersionKind, c: Comparison, subresource: string | undefined, options: OwnershipOptions): Comparison {
  return { added: stripIgnored(gvk, c.added, subresource, options), modified: stripIgnored(gvk, c.modified, subresource, options), removed: stripIgnored(gvk, c.removed, subresource, options) };
}

/**
 * Upstream's Updater.update: other managers lose fields this write changes (a conflict
 * unless `force`) and fields it removes. Returns the conflicts without changing anything
 * when there are some and `force` is false.
 */
function settleOwnership(managers: Map<string, Manager>, cmp: Comparison, selfKey: string, force: boolean): Conflict[] {
  const changed = cmp.modified.union(cmp.added);
  const conflicts: Conflict[] = [];
  for (const key of [...managers.keys()].sort()) {
    const m = managers.get(key);
    if (key === selfKey || m === undefined) {
      continue;
    }
    for (const path of m.set.intersection(changed).members()) {
      conflicts.push({ manager: m, path });
    }
  }
  if (conflicts.length > 0 && !force) {
    return conflicts;
  }
  for (const [key, m] of managers) {
    if (key !== selfKey) {
      m.set = m.set.difference(changed).difference(cmp.removed);
    }
  }
  return [];
}

/** Fields of the client-side last-applied configuration whose live value still matches it. */
function lastAppliedFields(root: TypeCursor, live: JsonObject, apiVersion: string): FieldSet {
  const meta = live.metadata;
  const annotations = isObject(meta) ? meta.annotations : undefined;
  const raw = isObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof raw !== 'string' || raw === '') {
    return new FieldSet();
  }
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return new FieldSet();
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== apiVersion) {
    return new FieldSet();
  }
  const cmp = compare(root, lastApplied, live);
  return toFieldSet(root, lastApplied).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/** The annotation value upstream writes when kubectl applies server-side over a client-side-applied object. */
function buildLastApplied(applied: JsonObject): string {
  const copy = clone(applied);
  const meta = copy.metadata;
  if (isObject(meta) && isObject(meta.annotations)) {
    delete meta.annotations[LAST_APPLIED_ANNOTATION];
  }
  // Go's encoder sorts map keys, escapes HTML characters and ends with a newline.
  return `${canonicalJson(copy).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}\n`;
}

function validateApplied(gvk: GroupVersionKind, applied: KubeObject): void {
  if (!isObject(applied)) {
    throw badRequest('error decoding YAML: the apply patch is not an object');
  }
  const meta: unknown = applied.metadata;
  if (isObject(meta) && meta.managedFields !== undefined && meta.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  if (applied.apiVersion !== entryApiVersion(gvk) || applied.kind !== gvk.kind) {
    // Go's GroupVersionKind.String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`.
    const apiVersion = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
    const slash = apiVersion.indexOf('/');
    const gv = slash < 0 ? `/${apiVersion}` : apiVersion;
    throw badRequest(`invalid object type: ${gv}, Kind=${typeof applied.kind === 'string' ? applied.kind : ''}`);
  }
}

/**
 * Server-side apply of `applied` (the manager's full intent) over `live` (undefined: create).
 * Returns the merged object with updated metadata.managedFields; throws 409 Conflict
 * with upstream's message unless `force`, 400 for a malformed apply configuration.
 */
export function serverSideApply(
  gvk: GroupVersionKind,
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  force: boolean,
  subresource?: string,
  options: OwnershipOptions = {},
): ApplyResult {
  validateApplied(gvk, applied);
  const root = rootCursor(gvk);
  const apiVersion = entryApiVersion(gvk);
  const sub = subresource === '' ? undefined : subresource;
  const liveObj: JsonObject = live === undefined ? {} : withoutManagedFields(live);
  const managers = decodeManagers(live?.metadata.managedFields);
  if (live !== undefined && managers.size === 0) {
    // Upstream credits everything already there to one Update manager, so appliers see conflicts.
    const existing = compare(root, zeroValueFor(gvk, liveObj), liveObj);
    const before: Manager = { manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion, set: stripIgnored(gvk, existing.added.union(existing.modified), sub, options) };
    managers.set(managerKey(before), before);
  }
  const appliedObj = withoutManagedFields(applied);
  const keyErrors = listKeyErrors(root, appliedObj);
  if (keyErrors.length > 0) {
    // Upstream fails converting the apply configuration to a typed value: a plain (500) error.
    const meta = applied.metadata as { namespace?: unknown; name?: unknown } | undefined;
    const ns = typeof meta?.namespace === 'string' ? meta.namespace : '';
    const name = typeof meta?.name === 'string' ? meta.name : '';
    throw new StatusError(500, '' as StatusReason, `failed to create typed patch object (${ns}/${name}; ${apiVersion}, Kind=${gvk.kind}): ${keyErrors.join('\n')}`);
  }
  const self: Manager = { manager, operation: 'Apply', apiVersion, subresource: sub, set: stripIgnored(gvk, toFieldSet(root, appliedObj), sub, options) };
  const selfKey = managerKey(self);
  const lastSet = managers.get(selfKey)?.set;
  const previousTime = managers.get(selfKey)?.time;

  const merged = mergeValues(root, liveObj, appliedObj) as JsonObject;
  managers.set(selfKey, self);
  if (lastSet !== undefined) {
    // Only appliers protect fields from pruning (upstream's addBackOwnedItems).
    let owned = new FieldSet();
    for (const m of managers.values()) {
      if (m.operation === 'Apply') {
        owned = owned.union(m.set);
      }
    }
    removeUnowned(root, merged, lastSet, owned);
  }

  const cmp = stripComparison(gvk, compare(root, liveObj, merged), sub, options);
  const conflicts = settleOwnership(managers, cmp, selfKey, force);
  if (conflicts.length > 0) {
    // kubectl's upgrade path from client-side apply: conflicts on fields it last applied are fine.
    const allowed = manager === 'kubectl' ? lastAppliedFields(root, liveObj, apiVersion) : new FieldSet();
    const remaining = conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) {
      throw conflictError(remaining);
    }
    settleOwnership(managers, cmp, selfKey, true);
  }
  // Upstream stamps the applier's time only when the apply changed the object.
  self.time = deepEqual(merged, liveObj) ? previousTime : managedFieldsTime();

  const meta = (isObject(merged.metadata) ? merged.metadata : {}) as JsonObject;
  merged.metadata = meta;
  if (manager === 'kubectl' && isObject(meta.annotations) && typeof meta.annotations[LAST_APPLIED_ANNOTATION] === 'string') {
    meta.annotations[LAST_APPLIED_ANNOTATION] = buildLastApplied(appliedObj);
  }
  const entries = encodeManagers(managers.values());
  if (entries.length > 0) {
    meta.managedFields = entries;
  } else {
    delete meta.managedFields;
  }
  return { object: merged as KubeObject };
}

/** True when a write asks to clear managedFields (`[]` or `[{}]`), as upstream reads it. */
function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) {
    return false;
  }
  return entries.length === 0 || (entries.length === 1 && isObject(entries[0]) && Object.keys(entries[0]).length === 0);
}

/**
 * The managed-fields entries after a non-apply write (create/update/patch) by `manager`:
 * it gains the fields it added or changed (taking them from other managers) and everyone
 * loses the fields it removed; empty entries are dropped. `[]` or `[{}]` sent by the
 * writer clears managedFields.
 */
export function updateManagedFields(
  gvk: GroupVersionKind,
  old: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  subresource?: string,
  options: OwnershipOptions = {},
): ManagedFieldsEntry[] {
  const sub = subresource === '' ? undefined : subresource;
  const requested = updated.metadata.managedFields;
  if (sub === undefined && isReset(requested)) {
    return [];
  }
  let managers = sub === undefined && Array.isArray(requested) && requested.length > 0 ? decodeManagers(requested) : new Map<string, Manager>();
  if (managers.size === 0) {
    managers = decodeManagers(old?.metadata.managedFields);
  }
  if (old !== undefined && managers.size === 0) {
    // Upstream starts tracking an existing object that has no managedFields only at its first apply.
    return [];
  }
  const root = rootCursor(gvk);
  const apiVersion = entryApiVersion(gvk);
  if (old === undefined && managers.size === 0) {
    // A create nobody else owns anything of: the writer owns what the object sets beyond
    // its zero value (what the general path below ends with, without its set algebra).
    const created = viewWithoutManagedFields(updated);
    const zero = zeroValueFor(gvk, created);
    const fieldsV1 = createdFieldsV1(root, zero, created, ignoredPaths(gvk, sub, options));
    if (fieldsV1 !== undefined) {
      if (Object.keys(fieldsV1).length === 0) {
        return [];
      }
      // encodeManagers' entry, field for field and in its key order.
      const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion, time: managedFieldsTime(), fieldsType: 'FieldsV1', fieldsV1 };
      if (sub !== undefined) {
        entry.subresource = sub;
      }
      return [entry];
    }
    const cmp = compare(root, zero, created);
    const set = stripIgnored(gvk, cmp.modified.isEmpty() ? cmp.added : cmp.modified.union(cmp.added), sub, options);
    return set.isEmpty() ? [] : encodeManagers([{ manager, operation: 'Update', apiVersion, subresource: sub, time: managedFieldsTime(), set }]);
  }
  // compare() only reads: shallow views do (serverSideApply clones, its merge shares subtrees).
  const next = viewWithoutManagedFields(updated);
  const prev = old === undefined ? zeroValueFor(gvk, next) : viewWithoutManagedFields(old);
  const cmp = stripComparison(gvk, compare(root, prev, next), sub, options);
  const selfKey = managerKey({ manager, operation: 'Update', apiVersion, subresource: sub });
  settleOwnership(managers, cmp, selfKey, true);
  const changed = cmp.modified.union(cmp.added);
  const current = managers.get(selfKey);
  if (!changed.isEmpty()) {
    const set = (current?.set ?? new FieldSet()).difference(cmp.removed).union(changed);
    managers.set(selfKey, { manager, operation: 'Update', apiVersion, subresource: sub, time: managedFieldsTime(), set });
  } else if (current !== undefined) {
    current.set = current.set.difference(cmp.removed);
  }
  capUpdateManagers(managers);
  return encodeManagers(managers.values());
}
