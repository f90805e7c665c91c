/** Small helpers for defaulting unstructured JSON objects in place. */

/** An unstructured JSON object. */
export type Obj = Record<string, unknown>;

/** The object at obj[key], or undefined when absent or not an object. */
export function objAt(obj: Obj, key: string): Obj | undefined {
  const v = obj[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The object at obj[key], created (as {}) when absent or null. */
export function ensureObj(obj: Obj, key: string): Obj {
  const existing = objAt(obj, key);
  if (existing !== undefined) {
    return existing;
  }
  const created: Obj = {};
  obj[key] = created;
  return created;
}

/** The objects in the array at obj[key] (non-objects skipped). */
export function objsAt(obj: Obj | undefined, key: string): Obj[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v.filter((x): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

/** Sets obj[key] = value when the field is absent, null or the empty string. */
export function setDefault(obj: Obj, key: string, value: unknown): void {
  const v = obj[key];
  if (v === undefined || v === null || v === '') {
    obj[key] = value;
  }
}
