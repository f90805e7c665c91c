/**
 * How Go prints decoded JSON values (`map[string]interface{}`, `[]interface{}`, int64, float64,
 * string, bool, nil) with the fmt verbs and encoders kubectl's printers use: `%v`, `%#v`, `%q`
 * and encoding/json. kubectl's jsonpath, go-template and custom-columns output is made of these,
 * so matching upstream byte for byte means formatting exactly as Go does.
 */
import { goFloat } from '../../api/go-float.ts';

export { goFloat };

/** A decoded JSON value. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/** True for a plain JSON object (Go's map[string]interface{}), not an array or a class instance. */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether a JSON number decodes as int64 (Kubernetes' unstructured decoder keeps integers as
 * int64 and everything else as float64). A float written as `2.0` is indistinguishable here.
 */
export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

/** A number as Go prints the value the unstructured decoder made of it (int64 or float64). */
export function goNumber(n: number): string {
  return isGoInt(n) ? BigInt(n).toString() : goFloat(n);
}

const goUnprintable = /[\p{C}\p{Z}]/u;

/** A string as Go's strconv.Quote / `%q` / `%#v` writes it. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (ch === ' ' || !goUnprintable.test(ch)) {
      out += ch;
    } else if (cp < 0x80) {
      out += `\\x${cp.toString(16).padStart(2, '0')}`;
    } else if (cp < 0x10000) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else {
      out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

function sortedKeys(o: Record<string, unknown>): string[] {
  // Go's fmt and encoding/json both sort map keys.
  return Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A decoded JSON value as Go's `%#v` prints it (the jsonpath printer's debugging dump). */
export function goSharpV(v: unknown): string {
  if (v === null || v === undefined) {
    return 'interface {}(nil)';
  }
  if (typeof v === 'string') {
    return goQuote(v);
  }
  if (typeof v === 'number') {
    return goNumber(v);
  }
  if (typeof v === 'boolean') {
    return String(v);
  }
  if (Array.isArray(v)) {
    return `[]interface {}{${v.map((e) => goSharpV(e)).join(', ')}}`;
  }
  if (isJsonObject(v)) {
    return `map[string]interface {}{${sortedKeys(v).map((k) => `${goQuote(k)}:${goSharpV(v[k])}`).join(', ')}}`;
  }
  return String(v);
}

/** A decoded JSON value as Go's `%v` / fmt.Print prints it (`map[a:b]`, `[x y]`, `<nil>`). */
export function goPrint(v: unknown): string {
  if (v === null || v === undefined) {
    return '<nil>';
  }
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number') {
    return goNumber(v);
  }
  if (typeof v === 'boolean') {
    return String(v);
  }
  if (Array.isArray(v)) {
    return `[${v.map((e) => goPrint(e)).join(' ')}]`;
  }
  if (isJsonObject(v)) {
    return `map[${sortedKeys(v).map((k) => `${k}:${goPrint(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(sortKeysDeep);
  }
  if (isJsonObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of sortedKeys(v)) {
      out[k] = sortKeysDeep(v[k]);
    }
    return out;
  }
  return v;
}

/**
 * A value as Go's encoding/json writes it: keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped (HTML-safe by default); `indent` as json.MarshalIndent's.
 */
export function goJson(v: unknown, indent?: string): string {
  const text = JSON.stringify(sortKeysDeep(v === undefined ? null : v), null, indent) ?? 'null';
  // These characters only occur inside JSON strings, so replacing them everywhere is safe.
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
