/**
 * Field errors rendered exactly like apimachinery's field.Error: the type's phrase, the bad
 * value printed the way Go's fmt would print it, then the detail.
 */
import type { FieldError } from '../errors.ts';

/** A bad value that is already rendered (e.g. a Go `%#v` struct dump or a quantity's String()). */
export class Rendered {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Marks a value as pre-rendered text so it is printed verbatim (no quotes). */
export function rendered(text: string): Rendered {
  return new Rendered(text);
}

/** Go's %q for a string: double quotes with Go escapes (close to JSON for printable text). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u([0-9a-f]{4})/g, (_m, hex: string) => `\\x${hex.slice(2)}`);
}

/** Go's `%#v` of a map[string]string: `map[string]string{"a":"b"}` with sorted keys. */
export function goStringMap(m: Record<string, unknown> | undefined | null): string {
  if (m == null) {
    return 'map[string]string(nil)';
  }
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** Go's `%#v` of a metav1.LabelSelector, as seen in `spec.selector: ... field is immutable`. */
export function goLabelSelector(sel: unknown): string {
  if (sel == null || typeof sel !== 'object') {
    return 'null';
  }
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key?: string; operator?: string; values?: string[] }[] };
  const labels = s.matchLabels === undefined ? 'map[string]string(nil)' : goStringMap(s.matchLabels);
  let exprs = '[]v1.LabelSelectorRequirement(nil)';
  if (Array.isArray(s.matchExpressions)) {
    const items = s.matchExpressions.map((e) => {
      const values = Array.isArray(e.values) ? `[]string{${e.values.map((v) => goQuote(String(v))).join(', ')}}` : '[]string(nil)';
      return `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? '')}, Operator:${goQuote(e.operator ?? '')}, Values:${values}}`;
    });
    exprs = `[]v1.LabelSelectorRequirement{${items.join(', ')}}`;
  }
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`;
}

/** Prints a bad value the way field.Error does: strings quoted, numbers/bools bare, null as null. */
export function renderValue(value: unknown): string {
  if (value instanceof Rendered) {
    return value.text;
  }
  if (value === null || value === undefined) {
    return 'null';
  }
  if (typeof value === 'string') {
    return goQuote(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return `[]string{${value.map((v) => goQuote(v)).join(', ')}}`;
  }
  if (typeof value === 'object' && Object.values(value).every((v) => typeof v === 'string')) {
    return goStringMap(value as Record<string, unknown>);
  }
  return JSON.stringify(value);
}

function withDetail(head: string, detail: string): string {
  return detail === '' ? head : `${head}: ${detail}`;
}

/** `Required value[: detail]`. */
export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

/** `Invalid value: <value>[: detail]`. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${renderValue(value)}`, detail) };
}

/** `Unsupported value: <value>: supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map((v) => goQuote(v)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${renderValue(value)}`, detail) };
}

/** `Duplicate value: <value>`. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${renderValue(value)}` };
}

/** `Forbidden: detail`. */
export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

/** `Too long: may not be more than N bytes` (the value itself is never printed). */
export function tooLong(field: string, maxLength: number): FieldError {
  return { type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` };
}

/** `Too many: N: must have at most M items`. */
export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items` };
}

/** `Not found: <value>`. */
export function notFoundField(field: string, value: unknown): FieldError {
  return { type: 'FieldValueNotFound', field, message: `Not found: ${renderValue(value)}` };
}

/** `a.b.c`, skipping empty parts (field.Path.Child). */
export function child(base: string, ...names: string[]): string {
  // Called for every field validated: no intermediate arrays.
  let out = base;
  for (const name of names) {
    if (name !== '') {
      out = out === '' ? name : `${out}.${name}`;
    }
  }
  return out;
}
/** `base[i]`. */
export function index(base: string, i: number): string {
  return `${base}[${i}]`;
}
/** `base[k]` (keys are not quoted, as upstream prints them). */
export function key(base: string, k: string): string {
  return `${base}[${k}]`;
}

/** Structural readers for unstructured JSON below never throw; a type mismatch reads as empty. */
export type Obj = Record<string, unknown>;
/** v as a plain object, or undefined. */
export function asObj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}
/** v as an array, or []. */
export function asArr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
/** v as a string, or ''. */
export function asStr(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
/** True for integral numbers. */
export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}
/** v as a string map (values stringified), or {}. */
export function asStrMap(v: unknown): Record<string, string> {
  const o = asObj(v);
  const out: Record<string, string> = {};
  if (o !== undefined) {
    for (const [k, val] of Object.entries(o)) {
      out[k] = typeof val === 'string' ? val : String(val);
    }
  }
  return out;
}

/** Deep structural equality for JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  const oa = asObj(a);
  const ob = asObj(b);
  if (oa === undefined || ob === undefined) {
    return false;
  }
  const ka = Object.keys(oa).filter((k) => oa[k] !== undefined);
  const kb = Object.keys(ob).filter((k) => ob[k] !== undefined);
  if (ka.length !== kb.length) {
    return false;
  }
  return ka.every((k) => deepEqual(oa[k], ob[k]));
}

/** `field is immutable` when old and new differ (ValidateImmutableField). */
export function immutable(field: string, newValue: unknown, oldValue: unknown, shown?: unknown): FieldError[] {
  return deepEqual(newValue, oldValue) ? [] : [invalid(field, shown ?? newValue ?? null, 'field is immutable')];
}
