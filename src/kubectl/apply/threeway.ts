/**
 * Client-side apply's patch: upstream's three-way strategic merge patch (original = the
 * last-applied configuration, modified = the new local configuration, current = the live
 * object). Changes and additions come from current → modified, deletions only from
 * original → modified, so fields other writers set and the user never applied survive.
 * Directives (`$setElementOrder/`, `$deleteFromPrimitiveList/`, `$retainKeys`, `$patch: delete`)
 * are produced as kubectl 1.35 does. Kinds without strategic merge (custom resources) get
 * the JSON merge patch equivalent.
 */
import type { GroupVersionKind } from '../../api/object.ts';
import { deepEqual, isObject } from '../../api/patch/json-values.ts';
import type { JsonObject } from '../../api/patch/json-values.ts';
import { supportsStrategicMergePatch } from '../../api/patch/strategic.ts';
import { fieldCursor, itemCursor, listSemantics, mapPatchStrategy, rootCursor } from '../../api/patch/types.ts';
import type { TypeCursor } from '../../api/patch/types.ts';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

interface DiffOptions {
  /** Leave out fields/items that modified lacks (the current → modified pass). */
  readonly ignoreDeletions: boolean;
  /** Leave out changed/added fields (the original → modified pass). */
  readonly ignoreChangesAndAdditions: boolean;
}

/** Go's `%v` of a scalar, the string upstream sorts and compares list items by. */
function goString(v: unknown): string {
  if (v === null || v === undefined) {
    return '<nil>';
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function diffMaps(c: TypeCursor, original: JsonObject, modified: JsonObject, opts: DiffOptions, retainKeys: boolean): JsonObject {
  const patch: JsonObject = {};
  const retained: string[] = [];
  for (const [key, modifiedValue] of Object.entries(modified)) {
    if (retainKeys && modifiedValue !== null) {
      retained.push(key);
    }
    if (!Object.hasOwn(original, key)) {
      if (!opts.ignoreChangesAndAdditions) {
        patch[key] = modifiedValue;
      }
      continue;
    }
    const originalValue = original[key];
    if (key === PATCH) {
      // a `$patch` directive in modified (e.g. `$patch: replace`) is carried as a change
      if (!opts.ignoreChangesAndAdditions && originalValue !== modifiedValue) {
        patch[key] = modifiedValue;
      }
      continue;
    }
    const bothMaps = isObject(originalValue) && isObject(modifiedValue);
    const bothLists = Array.isArray(originalValue) && Array.isArray(modifiedValue);
    if (!bothMaps && !bothLists) {
      if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) {
        patch[key] = modifiedValue;
      }
      continue;
    }
    const fc = fieldCursor(c, key);
    if (bothMaps) {
      const strategy = mapPatchStrategy(fc);
      if (strategy.includes('replace')) {
        if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) {
          patch[key] = modifiedValue;
        }
        continue;
      }
      const sub = diffMaps(fc, originalValue, modifiedValue, opts, strategy.includes('retainKeys'));
      if (Object.keys(sub).length > 0) {
        patch[key] = sub;
      }
      continue;
    }
    diffSlice(fc, key, originalValue as unknown[], modifiedValue as unknown[], opts, patch);
  }
  if (!opts.ignoreDeletions) {
    for (const key of Object.keys(original)) {
      if (!Object.hasOwn(modified, key)) {
        patch[key] = null;
      }
    }
  }
  // upstream adds $retainKeys only when there is something to patch or a field to clear
  if (retained.length > 0 && (Object.keys(patch).length > 0 || Object.keys(modified).some((k) => !Object.hasOwn(original, k)))) {
    patch[RETAIN_KEYS] = retained.sort(compareStrings);
  }
  return patch;
}

function diffSlice(c: TypeCursor, key: string, original: unknown[], modified: unknown[], opts: DiffOptions, patch: JsonObject): void {
  const sem = listSemantics(c);
  if (!sem.patchStrategy.includes('merge')) {
    if (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified)) {
      patch[key] = modified;
    }
    return;
  }
  if (original.length === 0) {
    if (modified.length > 0 && !opts.ignoreChangesAndAdditions) {
      patch[key] = modified;
    }
    return;
  }
  const first = original[0] ?? modified[0];
  if (isObject(first)) {
    const mergeKey = sem.mergeKey ?? '';
    const { changes, deletions } = diffListsOfMaps(itemCursor(c), original as JsonObject[], modified as JsonObject[], mergeKey, opts);
    const ordered = [...orderLike(changes, modified as JsonObject[], mergeKey), ...deletions];
    const orderSame = original.length === modified.length && original.every((o, i) => goString((o as JsonObject)[mergeKey]) === goString((modified[i] as JsonObject)[mergeKey]));
    if (ordered.length > 0) {
      patch[key] = ordered;
    }
    if ((!opts.ignoreChangesAndAdditions && (ordered.length > 0 || !orderSame)) || (!opts.ignoreDeletions && ordered.length > 0)) {
      patch[`${SET_ELEMENT_ORDER}${key}`] = (modified as JsonObject[]).map((m) => ({ [mergeKey]: m[mergeKey] }));
    }
    return;
  }
  const { additions, deletions } = diffListsOfScalars(original, modified, opts);
  const added = [...additions].sort((a, b) => modified.findIndex((m) => goString(m) === goString(a)) - modified.findIndex((m) => goString(m) === goString(b)));
  if (added.length > 0) {
    patch[key] = added;
  }
  if (deletions.length > 0) {
    patch[`${DELETE_FROM_PRIMITIVE_LIST}${key}`] = deletions;
  }
  if ((!opts.ignoreDeletions && deletions.length > 0) || (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified))) {
    patch[`${SET_ELEMENT_ORDER}${key}`] = modified;
  }
}

/** Puts patch items into the order their merge keys have in `modified`. */
function orderLike(items: JsonObject[], modified: readonly JsonObject[], mergeKey: string): JsonObject[] {
  const index = (x: JsonObject): number => modified.findIndex((m) => goString(m[mergeKey]) === goString(x[mergeKey]));
  return [...items].sort((a, b) => index(a) - index(b));
}

function sortedByKey(items: readonly JsonObject[], mergeKey: string): JsonObject[] {
  return [...items].sort((a, b) => compareStrings(goString(a[mergeKey]), goString(b[mergeKey])));
}

function diffListsOfMaps(c: TypeCursor, original: readonly JsonObject[], modified: readonly JsonObject[], mergeKey: string, opts: DiffOptions): { changes: JsonObject[]; deletions: JsonObject[] } {
  const changes: JsonObject[] = [];
  const deletions: JsonObject[] = [];
  const o = sortedByKey(original, mergeKey);
  const m = sortedByKey(modified, mergeKey);
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const oi = o[i];
    const mj = m[j];
    const ok = oi === undefined ? undefined : goString(oi[mergeKey]);
    const mk = mj === undefined ? undefined : goString(mj[mergeKey]);
    if (oi !== undefined && mj !== undefined && ok === mk) {
      const sub = diffMaps(c, oi, mj, opts, listSemantics(c).patchStrategy.includes('retainKeys'));
      if (Object.keys(sub).length > 0) {
        sub[mergeKey] = mj[mergeKey];
        changes.push(sub);
      }
      i++;
      j++;
    } else if (mj !== undefined && (oi === undefined || (ok as string) > (mk as string))) {
      if (!opts.ignoreChangesAndAdditions) {
        changes.push(mj);
      }
      j++;
    } else if (oi !== undefined) {
      if (!opts.ignoreDeletions) {
        deletions.push({ [PATCH]: 'delete', [mergeKey]: oi[mergeKey] });
      }
      i++;
    }
  }
  return { changes, deletions };
}

function diffListsOfScalars(original: readonly unknown[], modified: readonly unknown[], opts: DiffOptions): { additions: unknown[]; deletions: unknown[] } {
  const o = [...original].sort((a, b) => compareStrings(goString(a), goString(b)));
  const m = [...modified].sort((a, b) => compareStrings(goString(a), goString(b)));
  const additions: unknown[] = [];
  const deletions: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const os = i < o.length ? goString(o[i]) : undefined;
    const ms = j < m.length ? goString(m[j]) : undefined;
    if (os !== undefined && ms !== undefined && os === ms) {
      i++;
      j++;
    } else if (ms !== undefined && (os === undefined || os > ms)) {
      if (!opts.ignoreChangesAndAdditions) {
        additions.push(m[j]);
      }
      j++;
    } else {
      if (!opts.ignoreDeletions) {
        deletions.push(o[i]);
      }
      i++;
    }
  }
  return { additions, deletions };
}

/** Folds the changes patch into the deletions patch (upstream's mergeMap of the two, for the shapes they can take). */
function mergePatches(deletions: JsonObject, changes: JsonObject, mergeKeyOf: (key: string) => string | undefined): JsonObject {
  const out: JsonObject = { ...deletions };
  for (const [key, value] of Object.entries(changes)) {
    const existing = out[key];
    if (isObject(existing) && isObject(value)) {
      out[key] = mergePatches(existing, value, () => undefined);
    } else if (Array.isArray(existing) && Array.isArray(value) && !key.startsWith(SET_ELEMENT_ORDER)) {
      const mk = mergeKeyOf(key);
      if (mk !== undefined) {
        const merged = [...existing] as JsonObject[];
        for (const item of value as JsonObject[]) {
          const at = merged.findIndex((e) => e[PATCH] === undefined && goString(e[mk]) === goString(item[mk]));
          if (at >= 0) {
            merged[at] = mergePatches(merged[at] as JsonObject, item, () => undefined);
          } else {
            merged.push(item);
          }
        }
        out[key] = merged;
      } else {
        out[key] = [...existing, ...value.filter((v) => !existing.some((e) => deepEqual(e, v)))];
      }
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Walks the two patches with the type cursor so list merges know their merge keys. */
function mergeTyped(c: TypeCursor, deletions: JsonObject, changes: JsonObject): JsonObject {
  const out: JsonObject = { ...deletions };
  for (const [key, value] of Object.entries(changes)) {
    const existing = out[key];
    if (isObject(existing) && isObject(value)) {
      out[key] = mergeTyped(fieldCursor(c, key), existing, value);
    } else if (Array.isArray(existing) && Array.isArray(value) && !key.startsWith('$')) {
      out[key] = mergePatches({ [key]: existing }, { [key]: value }, () => listSemantics(fieldCursor(c, key)).mergeKey)[key];
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The strategic merge patch `kubectl apply` sends: original (last applied) → modified, rebased on current (live). */
export function threeWayStrategicMergePatch(gvk: GroupVersionKind, original: JsonObject, modified: JsonObject, current: JsonObject): JsonObject {
  const root = rootCursor(gvk);
  const changes = diffMaps(root, current, modified, { ignoreDeletions: true, ignoreChangesAndAdditions: false }, false);
  const deletions = diffMaps(root, original, modified, { ignoreDeletions: false, ignoreChangesAndAdditions: true }, false);
  return mergeTyped(root, deletions, changes);
}

function mergeDiff(current: unknown, modified: unknown): unknown {
  if (isObject(current) && isObject(modified)) {
    const patch: JsonObject = {};
    for (const [k, v] of Object.entries(modified)) {
      if (!Object.hasOwn(current, k)) {
        patch[k] = v;
        continue;
      }
      const sub = mergeDiff(current[k], v);
      if (sub !== undefined) {
        patch[k] = sub;
      }
    }
    return Object.keys(patch).length > 0 ? patch : undefined;
  }
  return deepEqual(current, modified) ? undefined : modified;
}

function mergeDeletions(original: unknown, modified: unknown): JsonObject | undefined {
  if (!isObject(original) || !isObject(modified)) {
    return undefined;
  }
  const patch: JsonObject = {};
  for (const [k, v] of Object.entries(original)) {
    if (!Object.hasOwn(modified, k)) {
      patch[k] = null;
    } else {
      const sub = mergeDeletions(v, modified[k]);
      if (sub !== undefined) {
        patch[k] = sub;
      }
    }
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

function mergeJsonPatches(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const e = out[k];
    out[k] = isObject(e) && isObject(v) ? mergeJsonPatches(e, v) : v;
  }
  return out;
}

/** The JSON merge patch `kubectl apply` sends for kinds without strategic merge (custom resources). */
export function threeWayJsonMergePatch(original: JsonObject, modified: JsonObject, current: JsonObject): JsonObject {
  const changes = (mergeDiff(current, modified) ?? {}) as JsonObject;
  const deletions = mergeDeletions(original, modified) ?? {};
  return mergeJsonPatches(deletions, changes);
}

/** Which patch type client-side apply uses for `gvk`, and the patch. */
export function threeWayPatch(gvk: GroupVersionKind, original: JsonObject, modified: JsonObject, current: JsonObject): { readonly type: 'strategic' | 'merge'; readonly patch: JsonObject } {
  if (supportsStrategicMergePatch(gvk)) {
    return { type: 'strategic', patch: threeWayStrategicMergePatch(gvk, original, modified, current) };
  }
  return { type: 'merge', patch: threeWayJsonMergePatch(original, modified, current) };
}
