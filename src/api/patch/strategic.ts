/**
 * Strategic merge patch (upstream's apimachinery/pkg/util/strategicpatch semantics):
 * lists with strategy `merge` are merged by their merge key (primitive lists are
 * unioned), everything else is replaced, and the directives `$patch` (replace, delete,
 * merge), `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`
 * are honoured. Custom resources are refused with 415, as upstream does.
 */
import { badRequest, StatusError, StatusReason } from '../errors.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { isBuiltinKind } from './builtin-groups.ts';
import { canonicalJson, clone, deepEqual, isObject } from './json-values.ts';
import type { JsonObject } from './json-values.ts';
import { fieldCursor, itemCursor, listSemantics, mapPatchStrategy, rootCursor } from './types.ts';
import type { TypeCursor } from './types.ts';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** The media types a custom resource accepts for PATCH (no strategic merge patch). */
export const CUSTOM_RESOURCE_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'] as const;

/** True when `gvk` accepts strategic merge patch (built-in kinds; CRDs do not). */
export function supportsStrategicMergePatch(gvk: GroupVersionKind): boolean {
  return isBuiltinKind(gvk);
}

/** Go's `%v` of a map, used in upstream's error messages (`map[image:x name:y]`). */
function goValue(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(goValue).join(' ')}]`;
  }
  if (isObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goValue(v[k])}`)
      .join(' ')}]`;
  }
  return v === null ? '<nil>' : String(v);
}

/** Applies `patch` to `obj` for kind `gvk`; throws 415 for custom resources, 400/422/500 for bad patches like upstream. */
export function applyStrategicMergePatch(gvk: GroupVersionKind, obj: KubeObject, patch: unknown): KubeObject {
  if (!supportsStrategicMergePatch(gvk)) {
    throw new StatusError(415, StatusReason.UnsupportedMediaType, `the body of the request was in an unknown format - accepted media types include: ${CUSTOM_RESOURCE_PATCH_TYPES.join(', ')}`);
  }
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  }
  return mergeMap(rootCursor(gvk), obj, patch) as KubeObject;
}

/**
 * A non-Status error as upstream's handler reports it: 500 with reason Unknown (`""`) and the
 * raw message (kubectl prints `Error from server: <message>`).
 */
function unknownError(message: string): StatusError {
  return new StatusError(500, '' as StatusReason, message);
}

/**
 * A patch value that lands where the original has nothing (or a value of another type):
 * upstream drops maps carrying `$patch` and null fields; other directive keys would not
 * survive decoding into the typed object, so they go too.
 */
function withoutDirectives(v: unknown): { keep: boolean; value: unknown } {
  if (isObject(v)) {
    if (PATCH in v) {
      return { keep: false, value: undefined };
    }
    const out: JsonObject = {};
    for (const [k, child] of Object.entries(v)) {
      if (child === null || k.startsWith('$')) {
        continue;
      }
      const c = withoutDirectives(child);
      if (c.keep) {
        out[k] = c.value;
      }
    }
    return { keep: true, value: out };
  }
  if (Array.isArray(v)) {
    return { keep: true, value: v.map(withoutDirectives).filter((c) => c.keep).map((c) => c.value) };
  }
  return { keep: true, value: v };
}

/** Merges a map patch into `original` (upstream's mergeMap). */
function mergeMap(c: TypeCursor, original: JsonObject, patch: JsonObject): JsonObject {
  const directive = patch[PATCH];
  if (directive === 'delete') {
    // Upstream: "$patch: delete" on a map yields an empty map.
    return {};
  }
  if (directive === 'replace') {
    const { [PATCH]: _ignored, ...rest } = patch;
    return withoutDirectives(rest).value as JsonObject;
  }
  if (directive !== undefined && directive !== 'merge') {
    throw unknownError(`unknown patch type: ${goValue(directive)} in map: ${goValue(patch)}`);
  }

  const result: JsonObject = { ...original };
  const orders = new Map<string, unknown[]>();
  const deletions = new Map<string, unknown[]>();
  const fields: [string, unknown][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === PATCH) {
      continue;
    }
    if (k === RETAIN_KEYS) {
      applyRetainKeys(result, patch, v);
    } else if (k.startsWith(SET_ELEMENT_ORDER)) {
      if (!Array.isArray(v)) {
        throw badRequest('invalid patch format of setElementOrder list');
      }
      orders.set(k.slice(SET_ELEMENT_ORDER.length), v);
    } else if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      if (!Array.isArray(v)) {
        throw badRequest('invalid patch format of primitive list');
      }
      deletions.set(k.slice(DELETE_FROM_PRIMITIVE_LIST.length), v);
    } else {
      fields.push([k, v]);
    }
  }

  for (const [field, values] of deletions) {
    const list = result[field];
    if (Array.isArray(list)) {
      const kept = list.filter((x) => !values.some((d) => deepEqual(d, x)));
      if (kept.length === 0) {
        delete result[field];
      } else {
        result[field] = kept;
      }
    }
  }

  for (const [k, v] of fields) {
    if (v === null) {
      delete result[k];
      continue;
    }
    const merged = mergeValue(fieldCursor(c, k), result[k], v, orders.get(k));
    if (merged.keep) {
      result[k] = merged.value;
    } else {
      delete result[k];
    }
  }

  // An order directive without list changes still reorders the live list.
  for (const [field, order] of orders) {
    if (!fields.some(([k]) => k === field) && Array.isArray(result[field])) {
      result[field] = applyElementOrder(listSemantics(fieldCursor(c, field)).mergeKey, result[field] as unknown[], result[field] as unknown[], order);
    }
  }
  return result;
}

/** `$retainKeys`: drop the original's fields the list does not name; the patch may only set named fields. */
function applyRetainKeys(result: JsonObject, patch: JsonObject, retain: unknown): void {
  if (!Array.isArray(retain)) {
    throw badRequest('invalid patch format of retainKeys');
  }
  const keep = new Set(retain.filter((k): k is string => typeof k === 'string'));
  for (const [k, v] of Object.entries(patch)) {
    if (v !== null && !k.startsWith('$') && !keep.has(k)) {
      throw badRequest('invalid patch format of retainKeys');
    }
  }
  for (const k of Object.keys(result)) {
    if (!keep.has(k)) {
      delete result[k];
    }
  }
}

function mergeValue(c: TypeCursor, original: unknown, patch: unknown, order: unknown[] | undefined): { keep: boolean; value: unknown } {
  if (isObject(patch) && isObject(original)) {
    if (mapPatchStrategy(c).includes('replace')) {
      return withoutDirectives(patch);
    }
    return { keep: true, value: mergeMap(c, original, patch) };
  }
  if (Array.isArray(patch) && Array.isArray(original)) {
    return { keep: true, value: mergeList(c, original, patch, order) };
  }
  return withoutDirectives(patch);
}

function mergeList(c: TypeCursor, original: unknown[], patch: unknown[], order: unknown[] | undefined): unknown[] {
  const sem = listSemantics(c);
  const item = itemCursor(c);
  if (patch.some((p) => isObject(p) && p[PATCH] === 'replace')) {
    return withoutDirectives(patch.filter((p) => !(isObject(p) && PATCH in p))).value as unknown[];
  }
  if (!sem.patchStrategy.includes('merge')) {
    return withoutDirectives(patch).value as unknown[];
  }
  const key = sem.mergeKey;
  if (key === undefined || patch.every((p) => !isObject(p))) {
    const union = original.slice();
    for (const p of patch) {
      if (!union.some((x) => deepEqual(x, p))) {
        union.push(clone(p));
      }
    }
    return order === undefined ? union : applyElementOrder(undefined, original, union, order);
  }
  const result: unknown[] = original.slice();
  for (const p of patch) {
    if (!isObject(p)) {
      throw badRequest(`found non-map element in a list of maps: ${goValue(p)}`);
    }
    const keyValue = p[key];
    if (keyValue === undefined) {
      throw unknownError(`map: ${goValue(p)} does not contain declared merge key: ${key}`);
    }
    const matches = (x: unknown): boolean => isObject(x) && deepEqual(x[key], keyValue);
    if (p[PATCH] === 'delete') {
      for (let i = result.length - 1; i >= 0; i--) {
        if (matches(result[i])) {
          result.splice(i, 1);
        }
      }
      continue;
    }
    const at = result.findIndex(matches);
    if (at < 0) {
      result.push(withoutDirectives(p).value);
    } else {
      result[at] = mergeMap(item, result[at] as JsonObject, p);
    }
  }
  return order === undefined ? result : applyElementOrder(key, original, result, order);
}

/**
 * `$setElementOrder`: items named by the order come in that order; items only the server
 * knows keep their place relative to the original list.
 */
function applyElementOrder(key: string | undefined, original: readonly unknown[], merged: readonly unknown[], order: readonly unknown[]): unknown[] {
  const id = (x: unknown): string => canonicalJson(key !== undefined && isObject(x) ? x[key] : x);
  const orderIndex = new Map(order.map((o, i) => [id(o), i] as const));
  const originalIndex = new Map(original.map((o, i) => [id(o), i] as const));
  const ordered = merged.filter((x) => orderIndex.has(id(x))).sort((a, b) => (orderIndex.get(id(a)) ?? 0) - (orderIndex.get(id(b)) ?? 0));
  const serverOnly = merged.filter((x) => !orderIndex.has(id(x)));
  const out: unknown[] = [];
  let next = 0;
  for (const x of ordered) {
    const at = originalIndex.get(id(x));
    while (at !== undefined && next < serverOnly.length && (originalIndex.get(id(serverOnly[next])) ?? Infinity) < at) {
      out.push(serverOnly[next++]);
    }
    out.push(x);
  }
  return out.concat(serverOnly.slice(next));
}
