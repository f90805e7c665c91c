/**
 * Schema-aware operations on whole objects for server-side apply (upstream's
 * structured-merge-diff `typed` package, reimplemented): the field set an object
 * sets, the comparison of two objects, the merge of an applied configuration into
 * a live object, and removal of fields nobody manages any more.
 */
import { fieldElement, FieldSet, indexElement, keyElement, pathString, valueElement } from './fieldpath.ts';
import type { FieldPath, PathElement } from './fieldpath.ts';
import { canonicalJson, clone, deepEqual, isObject } from './json-values.ts';
import type { JsonObject } from './json-values.ts';
import { fieldCursor, isAtomicMap, isDeclaredField, isGranularMap, itemCursor, ListType, listSemantics } from './types.ts';
import type { ListSemantics, TypeCursor } from './types.ts';

/** The path element naming one item of the list at `c`. */
export function itemElement(sem: ListSemantics, item: unknown, index: number): PathElement {
  if (sem.listType === ListType.Set) {
    return isObject(item) || Array.isArray(item) ? `v:${canonicalJson(item)}` : valueElement(item);
  }
  if (sem.listType === ListType.Map && isObject(item)) {
    const keys: Record<string, unknown> = {};
    for (const k of sem.mapKeys) {
      const v = item[k] ?? sem.keyDefaults[k];
      if (v !== undefined) {
        keys[k] = v;
      }
    }
    if (Object.keys(keys).length > 0) {
      return keyElement(keys);
    }
  }
  return indexElement(index);
}

/** The fields `value` sets, as upstream's ToFieldSet counts them (what an applier owns). */
export function toFieldSet(root: TypeCursor, value: JsonObject): FieldSet {
  const set = new FieldSet();
  const walk = (c: TypeCursor, v: unknown, path: PathElement[]): void => {
    if (Array.isArray(v)) {
      const sem = listSemantics(c);
      if (sem.listType === ListType.Atomic) {
        set.insert(path);
        return;
      }
      const ic = itemCursor(c);
      v.forEach((item, i) => {
        const p = [...path, itemElement(sem, item, i)];
        walk(ic, item, p);
        set.insert(p);
      });
      return;
    }
    if (isObject(v)) {
      if (path.length > 0 && isAtomicMap(c)) {
        set.insert(path);
        return;
      }
      for (const [k, child] of Object.entries(v)) {
        const p = [...path, fieldElement(k)];
        walk(fieldCursor(c, k), child, p);
        if (child === null || (isObject(child) && Object.keys(child).length === 0) || !isDeclaredField(c, k)) {
          set.insert(p);
        }
      }
      return;
    }
    set.insert(path);
  };
  walk(root, value, []);
  return set;
}

/** Fields added, changed in value, or removed between two versions of an object. */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

function insertAll(set: FieldSet, c: TypeCursor, v: unknown, path: PathElement[]): void {
  insertBelow(set.descend(path), c, v);
}

/** Makes `node` a member and adds every field and item of `v` below it (nodes passed down, no path copies). */
function insertBelow(node: FieldSet, c: TypeCursor, v: unknown): void {
  node.member = true;
  if (Array.isArray(v)) {
    const sem = listSemantics(c);
    if (sem.listType !== ListType.Atomic) {
      const ic = itemCursor(c);
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        insertBelow(node.child(itemElement(sem, item, i)), ic, item);
      }
    }
  } else if (isObject(v) && !isAtomicMap(c)) {
    for (const k of Object.keys(v)) {
      const child = v[k];
      if (child !== null) {
        insertBelow(node.child(fieldElement(k)), fieldCursor(c, k), child);
      }
    }
  }
}

/** A list's items by path element (the first of several with one element wins). */
export function indexItems(sem: ListSemantics, list: readonly unknown[]): Map<PathElement, unknown> {
  const out = new Map<PathElement, unknown>();
  list.forEach((item, i) => {
    const pe = itemElement(sem, item, i);
    if (!out.has(pe)) {
      out.set(pe, item);
    }
  });
  return out;
}

/** Compares `lhs` (before) with `rhs` (after) field by field, following list and map semantics. */
export function compare(root: TypeCursor, lhs: JsonObject, rhs: JsonObject): Comparison {
  const result = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const emptyLike = (v: unknown): unknown => (Array.isArray(v) ? [] : isObject(v) ? {} : undefined);
  const walk = (c: TypeCursor, l: unknown, r: unknown, path: PathElement[]): void => {
    // A null container (a Go nil slice/pointer in a zero value) exists: its items are added, not itself.
    const lv = l === null ? emptyLike(r) : l;
    const rv = r === null ? emptyLike(l) : r;
    if (lv === undefined && rv === undefined) {
      return;
    }
    if (lv === undefined) {
      insertAll(result.added, c, rv, path);
      return;
    }
    if (rv === undefined) {
      insertAll(result.removed, c, lv, path);
      return;
    }
    if (Array.isArray(lv) && Array.isArray(rv)) {
      const sem = listSemantics(c);
      if (sem.listType !== ListType.Atomic) {
        const ic = itemCursor(c);
        const li = indexItems(sem, lv);
        const ri = indexItems(sem, rv);
        for (const [pe, item] of li) {
          walk(ic, item, ri.get(pe), [...path, pe]);
        }
        for (const [pe, item] of ri) {
          if (!li.has(pe)) {
            walk(ic, undefined, item, [...path, pe]);
          }
        }
        return;
      }
    } else if (isObject(lv) && isObject(rv) && (path.length === 0 || !isAtomicMap(c))) {
      const keys = new Set([...Object.keys(lv), ...Object.keys(rv)]);
      if (keys.size > 0) {
        for (const k of keys) {
          walk(fieldCursor(c, k), lv[k], rv[k], [...path, fieldElement(k)]);
        }
        return;
      }
    }
    if (!deepEqual(lv, rv)) {
      result.modified.insert(path);
    }
  };
  walk(root, lhs, rhs, []);
  return result;
}

function mergeLists(c: TypeCursor, lhs: readonly unknown[], rhs: readonly unknown[]): unknown[] {
  const sem = listSemantics(c);
  if (sem.listType === ListType.Atomic) {
    return clone(rhs as unknown[]);
  }
  const ic = itemCursor(c);
  const lPEs = lhs.map((x, i) => itemElement(sem, x, i));
  const rPEs = rhs.map((x, i) => itemElement(sem, x, i));
  const lItems = indexItems(sem, lhs);
  const rItems = indexItems(sem, rhs);
  const item = (pe: PathElement): unknown => (sem.listType === ListType.Set ? clone(rItems.get(pe)) : mergeValues(ic, lItems.get(pe), rItems.get(pe)));
  // Upstream keeps live-only items where they were and the applied items in applied order.
  const shared = rPEs.filter((pe) => lItems.has(pe));
  let nextShared = 0;
  const merged = new Set<PathElement>();
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < lPEs.length || r < rPEs.length) {
    const lpe = lPEs[l];
    const rpe = rPEs[r];
    if (lpe !== undefined && rpe !== undefined) {
      if (lpe === rpe) {
        merged.add(lpe);
        out.push(item(lpe));
        l++;
        r++;
        if (shared[nextShared] === lpe) {
          nextShared++;
        }
        continue;
      }
      if (rItems.has(lpe) && nextShared < shared.length && shared[nextShared] !== lpe) {
        l++;
        continue;
      }
    }
    if (lpe !== undefined) {
      if (!rItems.has(lpe)) {
        out.push(clone(lhs[l]));
        l++;
        continue;
      }
      if (merged.has(lpe)) {
        l++;
        continue;
      }
    }
    if (rpe !== undefined) {
      if (!merged.has(rpe)) {
        merged.add(rpe);
        out.push(item(rpe));
      }
      r++;
      if (shared[nextShared] === rpe) {
        nextShared++;
      }
    } else {
      l++;
    }
  }
  return out;
}

/** Merges the applied `rhs` into the live `lhs`: applied values win, granular maps and keyed lists merge. */
export function mergeValues(c: TypeCursor, lhs: unknown, rhs: unknown): unknown {
  if (rhs === undefined) {
    return clone(lhs);
  }
  if (lhs === undefined || lhs === null || rhs === null) {
    return clone(rhs);
  }
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    return mergeLists(c, lhs, rhs);
  }
  if (isObject(lhs) && isObject(rhs) && (c.path.length === 0 || !isAtomicMap(c))) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(lhs)) {
      out[k] = k in rhs ? mergeValues(fieldCursor(c, k), v, rhs[k]) : v;
    }
    for (const [k, v] of Object.entries(rhs)) {
      if (!(k in lhs)) {
        out[k] = clone(v);
      }
    }
    for (const [k, v] of Object.entries(out)) {
      if (v === null) {
        delete out[k];
      }
    }
    return out;
  }
  return clone(rhs);
}

/** True when an emptied container vanishes on upstream's typed round trip (omitempty maps and lists). */
function vanishesWhenEmpty(c: TypeCursor, v: unknown): boolean {
  if (Array.isArray(v)) {
    return v.length === 0;
  }
  return isObject(v) && Object.keys(v).length === 0 && isGranularMap(c);
}

/**
 * Upstream's prune: removes from `obj` (in place) every field or item `previous` (the
 * applier's last set) holds as a member that no applier (`owned`) claims now; an item goes
 * with everything under it. Intermediate structs stay; emptied maps and lists go.
 */
export function removeUnowned(root: TypeCursor, obj: JsonObject, previous: FieldSet, owned: FieldSet): void {
  const walk = (c: TypeCursor, value: unknown, prev: FieldSet, own: FieldSet | undefined): void => {
    for (const [pe, child] of prev.children) {
      const ownChild = own?.children.get(pe);
      const drop = child.member && !(ownChild?.member ?? false);
      if (pe.startsWith('f:') && isObject(value)) {
        const name = pe.slice(2);
        const fc = fieldCursor(c, name);
        const sub = value[name];
        if (sub === undefined) {
          continue;
        }
        if (drop) {
          delete value[name];
        } else if (child.children.size > 0) {
          walk(fc, sub, child, ownChild);
          if (vanishesWhenEmpty(fc, sub)) {
            delete value[name];
          }
        }
      } else if (Array.isArray(value)) {
        const sem = listSemantics(c);
        const at = value.findIndex((item, i) => itemElement(sem, item, i) === pe);
        if (at < 0) {
          continue;
        }
        if (drop) {
          value.splice(at, 1);
        } else if (child.children.size > 0) {
          walk(itemCursor(c), value[at], child, ownChild);
        }
      }
    }
  };
  walk(root, obj, previous, owned);
}

/**
 * Upstream's typed-value errors for an applied configuration: a keyed list item missing a
 * key field that has no default, or two items with the same key. Empty when valid.
 */
export function listKeyErrors(root: TypeCursor, value: JsonObject): string[] {
  const errors: string[] = [];
  const walk = (c: TypeCursor, v: unknown, path: PathElement[]): void => {
    if (Array.isArray(v)) {
      const sem = listSemantics(c);
      if (sem.listType === ListType.Atomic) {
        return;
      }
      const seen = new Set<PathElement>();
      const ic = itemCursor(c);
      v.forEach((item, i) => {
        if (sem.listType === ListType.Map && isObject(item)) {
          const missing = sem.mapKeys.find((k) => item[k] === undefined && sem.keyDefaults[k] === undefined);
          if (missing !== undefined) {
            errors.push(`${pathString(path)}: element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(missing)} (and doesn't have default value)`);
            return;
          }
        }
        const pe = itemElement(sem, item, i);
        if (seen.has(pe)) {
          errors.push(`${pathString(path)}: duplicate entries for key ${pathString([pe])}`);
          return;
        }
        seen.add(pe);
        walk(ic, item, [...path, pe]);
      });
      return;
    }
    if (isObject(v) && (path.length === 0 || !isAtomicMap(c))) {
      for (const [k, child] of Object.entries(v)) {
        walk(fieldCursor(c, k), child, [...path, fieldElement(k)]);
      }
    }
  };
  walk(root, value, []);
  return errors;
}
