/** The `kubectl.kubernetes.io/last-applied-configuration` annotation: what apply, create --save-config and replace --save-config store. */
import { goJson } from '../printers/gofmt.ts';

/** The annotation key. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Obj = Record<string, unknown>;

function htmlEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/**
 * The object without its own last-applied annotation, encoded as upstream's GetModifiedConfiguration
 * does: `unstructured` objects (from files) as Go map JSON (sorted keys, an `annotations: {}` left
 * behind), `typed` ones (generators) in their field order with empty annotations dropped. Ends in "\n".
 */
export function lastAppliedValue(obj: Obj, encoding: 'unstructured' | 'typed'): string {
  const meta = { ...((obj.metadata ?? {}) as Obj) };
  const annotations = { ...((meta.annotations ?? {}) as Record<string, string>) };
  delete annotations[LAST_APPLIED];
  const withoutSelf: Obj = { ...obj, metadata: { ...meta, annotations } };
  if (encoding === 'unstructured') {
    return `${goJson(withoutSelf)}\n`;
  }
  if (Object.keys(annotations).length === 0) {
    delete (withoutSelf.metadata as Obj).annotations;
  }
  return `${htmlEscape(JSON.stringify(withoutSelf))}\n`;
}

/** A copy of `obj` carrying the annotation computed from itself. */
export function setLastApplied(obj: Obj, encoding: 'unstructured' | 'typed'): Obj {
  const value = lastAppliedValue(obj, encoding);
  let meta: Obj = { ...((obj.metadata ?? {}) as Obj) };
  meta.annotations = { ...((meta.annotations ?? {}) as Record<string, string>), [LAST_APPLIED]: value };
  if (encoding === 'unstructured') {
    // unstructured objects are encoded with sorted keys
    meta = Object.fromEntries(Object.keys(meta).sort().map((k) => [k, meta[k]]));
    meta.annotations = Object.fromEntries(Object.entries(meta.annotations as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return { ...obj, metadata: meta };
}

/** The parsed annotation of a live object, undefined when absent or unparsable. */
export function getLastApplied(obj: Obj): Obj | undefined {
  const raw = ((obj.metadata as Obj | undefined)?.annotations as Record<string, string> | undefined)?.[LAST_APPLIED];
  if (raw === undefined || raw === '') {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Obj) : undefined;
  } catch {
    return undefined;
  }
}
