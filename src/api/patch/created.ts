/**
 * The FieldsV1 a create's writer owns, computed in one walk: what `compare(zero, created)`
 * reports added or modified, without the ignored paths, encoded as toFieldsV1 would — with
 * no FieldSet trees, set algebra or second encoding pass (a create is the most frequent
 * write, and its field set is just the object's shape).
 */
import { compareElements, fieldElement } from './fieldpath.ts';
import type { FieldPath, PathElement } from './fieldpath.ts';
import { deepEqual, isObject } from './json-values.ts';
import type { JsonObject } from './json-values.ts';
import { indexItems, itemElement } from './typed.ts';
import { fieldCursor, isAtomicMap, itemCursor, ListType, listSemantics } from './types.ts';
import type { TypeCursor } from './types.ts';

type Encoded = Record<string, unknown>;
/** Ignored paths as a trie: `null` marks a path dropped with everything below it. */
type Trie = Map<PathElement, Trie | null>;

/** Two items of one list share a path element: the general path merges them, this one does not. */
class DuplicateItem extends Error {}

/** Tries by the (shared, read-only) path arrays ignoredPaths hands out; other arrays get a fresh trie. */
const tries = new WeakMap<readonly FieldPath[], Trie>();

function trieOf(paths: readonly FieldPath[]): Trie {
  let trie = tries.get(paths);
  if (trie === undefined) {
    trie = buildTrie(paths);
    tries.set(paths, trie);
  }
  return trie;
}

function buildTrie(paths: readonly FieldPath[]): Trie {
  const root: Trie = new Map();
  for (const path of paths) {
    let node = root;
    path.forEach((pe, i) => {
      if (i === path.length - 1) {
        node.set(pe, null);
        return;
      }
      let next = node.get(pe);
      if (next === null) {
        return;
      }
      if (next === undefined) {
        next = new Map();
        node.set(pe, next);
      }
      node = next;
    });
  }
  return root;
}

/** Builds one node from its children (sorted like toFieldsV1); undefined when nothing is owned at or below it. */
function node(member: boolean, children: Array<[PathElement, Encoded | undefined]>): Encoded | undefined {
  const present = children.filter((c): c is [PathElement, Encoded] => c[1] !== undefined);
  if (!member && present.length === 0) {
    return undefined;
  }
  if (present.length > 1) {
    present.sort((a, b) => compareElements(a[0], b[0]));
  }
  const out: Encoded = {};
  if (member && present.length > 0) {
    out['.'] = {};
  }
  for (const [pe, enc] of present) {
    out[pe] = enc;
  }
  return out;
}

/** The child trie for pe: `null` when pe is dropped. */
function below(trie: Trie | undefined, pe: PathElement): Trie | undefined | null {
  return trie === undefined ? undefined : trie.get(pe);
}

/**
 * Everything in v is added (insertAll): the node and all below it are owned. The hot part of a
 * create (every field of the object passes here), so it builds the encoded node directly: object
 * keys sorted up front (every element is `f:<key>`, so key order is toFieldsV1's order), no
 * cursor for a scalar child (a leaf encodes as `{}` whatever its type).
 */
function added(c: TypeCursor, v: unknown, trie: Trie | undefined): Encoded {
  if (Array.isArray(v)) {
    const sem = listSemantics(c);
    if (sem.listType === ListType.Atomic || v.length === 0) {
      return {};
    }
    const ic = itemCursor(c);
    const children: Array<[PathElement, Encoded]> = [];
    const seen = v.length > 1 ? new Set<PathElement>() : undefined;
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      const pe = itemElement(sem, item, i);
      if (seen !== undefined) {
        if (seen.has(pe)) {
          throw new DuplicateItem();
        }
        seen.add(pe);
      }
      const t = below(trie, pe);
      if (t !== null) {
        children.push([pe, added(ic, item, t)]);
      }
    }
    if (children.length > 1) {
      children.sort((a, b) => compareElements(a[0], b[0]));
    }
    const out: Encoded = {};
    if (children.length > 0) {
      out['.'] = {};
    }
    for (const [pe, enc] of children) {
      out[pe] = enc;
    }
    return out;
  }
  if (!isObject(v) || isAtomicMap(c)) {
    return {};
  }
  const keys = Object.keys(v);
  if (keys.length > 1) {
    keys.sort();
  }
  let out: Encoded | undefined;
  for (const k of keys) {
    const child = v[k];
    if (child === null) {
      continue;
    }
    const pe = fieldElement(k);
    const t = below(trie, pe);
    if (t === null) {
      continue;
    }
    if (out === undefined) {
      out = { '.': {} };
    }
    out[pe] = typeof child === 'object' ? added(fieldCursor(c, k), child, t) : {};
  }
  return out ?? {};
}

function emptyLike(v: unknown): unknown {
  return Array.isArray(v) ? [] : isObject(v) ? {} : undefined;
}

/** compare()'s walk, keeping only what is added or modified. */
function changed(c: TypeCursor, l: unknown, r: unknown, atRoot: boolean, trie: Trie | undefined): Encoded | undefined {
  const lv = l === null ? emptyLike(r) : l;
  const rv = r === null ? emptyLike(l) : r;
  if (rv === undefined) {
    return undefined; // unchanged absence, or a removal: neither is owned by a create
  }
  if (lv === undefined) {
    return added(c, rv, trie);
  }
  if (Array.isArray(lv) && Array.isArray(rv)) {
    if (listSemantics(c).listType !== ListType.Atomic) {
      const sem = listSemantics(c);
      const ic = itemCursor(c);
      const li = indexItems(sem, lv);
      const ri = indexItems(sem, rv);
      const children: Array<[PathElement, Encoded | undefined]> = [];
      for (const [pe, item] of li) {
        const t = below(trie, pe);
        if (t !== null) {
          children.push([pe, changed(ic, item, ri.get(pe), false, t)]);
        }
      }
      for (const [pe, item] of ri) {
        const t = below(trie, pe);
        if (!li.has(pe) && t !== null) {
          children.push([pe, changed(ic, undefined, item, false, t)]);
        }
      }
      return node(false, children);
    }
  } else if (isObject(lv) && isObject(rv) && (atRoot || !isAtomicMap(c))) {
    const keys = new Set([...Object.keys(lv), ...Object.keys(rv)]);
    if (keys.size > 0) {
      const children: Array<[PathElement, Encoded | undefined]> = [];
      for (const k of keys) {
        const pe = fieldElement(k);
        const t = below(trie, pe);
        if (t !== null) {
          children.push([pe, changed(fieldCursor(c, k), lv[k], rv[k], false, t)]);
        }
      }
      return node(false, children);
    }
  }
  return deepEqual(lv, rv) ? undefined : {};
}

/**
 * The FieldsV1 a creating writer owns: fields `created` sets beyond its kind's `zero` value,
 * minus `ignored` paths (and `f:metadata` itself); `{}` when it owns nothing. Undefined when
 * a list repeats an item key (the general set algebra handles that case).
 */
export function createdFieldsV1(root: TypeCursor, zero: JsonObject, created: JsonObject, ignored: readonly FieldPath[]): Encoded | undefined {
  let out: Encoded | undefined;
  try {
    out = changed(root, zero, created, true, trieOf(ignored));
  } catch (e) {
    if (e instanceof DuplicateItem) {
      return undefined;
    }
    throw e;
  }
  out ??= {};
  const meta = out['f:metadata'];
  if (isObject(meta)) {
    delete meta['.'];
    if (Object.keys(meta).length === 0) {
      delete out['f:metadata'];
    }
  }
  return out;
}
