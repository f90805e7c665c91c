/** Small helpers over plain JSON values shared by the patch algorithms. */

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A deep copy of a JSON value (objects built from JSON never hold cycles), like
 * structuredClone of such a value but several times faster: plain objects and arrays are
 * copied by hand, anything else (a Date, a Map) still goes through structuredClone.
 */
export function clone<T>(v: T): T {
  return copyValue(v) as T;
}

function copyValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    return v;
  }
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      out[i] = copyValue(v[i]);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    return structuredClone(v);
  }
  const src = v as JsonObject;
  const out: JsonObject = {};
  for (const k of Object.keys(src)) {
    if (k === '__proto__') {
      // JSON.parse makes "__proto__" an own key; plain assignment would set the prototype instead.
      Object.defineProperty(out, k, { value: copyValue(src[k]), enumerable: true, writable: true, configurable: true });
    } else {
      out[k] = copyValue(src[k]);
    }
  }
  return out;
}

/** Structural equality of two JSON values; object key order is ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) {
      return false;
    }
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Canonical JSON text (sorted keys) used to compare and index list items by value. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(canonicalJson).join(',')}]`;
  }
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Freezes a parsed JSON value in place, all the way down (shared cached objects must never be
 * mutated). Every watched or written object passes here: no array of values per object, no call
 * per scalar, and subtrees already frozen are not walked again.
 */
export function freezeJson<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    freezeTree(v);
  }
  return v;
}

function freezeTree(o: object): void {
  Object.freeze(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const x: unknown = o[i];
      if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
        freezeTree(x);
      }
    }
    return;
  }
  const r = o as Record<string, unknown>;
  for (const k in r) {
    const x = r[k];
    if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
      freezeTree(x);
    }
  }
}
