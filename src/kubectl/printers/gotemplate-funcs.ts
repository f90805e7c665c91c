/**
 * The functions a kubectl go-template can call (text/template's builtins plus kubectl's `exists`
 * and `base64decode`) and the pieces of Go's fmt they need (Sprint, Sprintf), over decoded JSON
 * values. Errors are thrown with Go's message; the executor prefixes `error calling <fn>: `.
 */
import { goFloat, goNumber, goPrint, goQuote, goSharpV, isGoInt } from './gofmt.ts';
import { GoFloat64 } from './jsonpath-eval.ts';

/** Go's invalid reflect.Value: a missing map key (prints `<no value>`). */
export const MISSING: unique symbol = Symbol('missing');

/** True for the missing-key marker. */
export function isMissing(v: unknown): v is typeof MISSING {
  return v === MISSING;
}

/** An integer literal of the template: Go types it `int` (data integers are `int64`). */
export class GoInt {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'map' | 'slice';

function kind(v: unknown): Kind {
  if (v === MISSING || v === null || v === undefined) {
    return 'invalid';
  }
  if (v instanceof GoFloat64) {
    return 'float';
  }
  if (v instanceof GoInt) {
    return 'int';
  }
  if (Array.isArray(v)) {
    return 'slice';
  }
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'number': return isGoInt(v) ? 'int' : 'float';
    case 'string': return 'string';
    default: return 'map';
  }
}

/** The Go type name of a decoded value (`int64`, `map[string]interface {}`, ...). */
export function goTypeName(v: unknown): string {
  switch (kind(v)) {
    case 'invalid': return '<nil>';
    case 'bool': return 'bool';
    case 'int': return v instanceof GoInt ? 'int' : 'int64';
    case 'float': return 'float64';
    case 'string': return 'string';
    case 'map': return 'map[string]interface {}';
    case 'slice': return '[]interface {}';
  }
}

function num(v: unknown): number {
  return v instanceof GoFloat64 || v instanceof GoInt ? v.value : (v as number);
}

/** The plain JSON value behind a template value (literals unwrapped, missing as null). */
export function plain(v: unknown): unknown {
  return v === MISSING ? null : v instanceof GoFloat64 || v instanceof GoInt ? v.value : v;
}

/** A value as Go's `%v` prints it. */
export function printed(v: unknown): string {
  return v instanceof GoFloat64 ? goFloat(v.value) : goPrint(plain(v));
}

/** fmt.Sprint: operands printed with %v, a space between two operands when neither is a string. */
export function goSprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') {
      out += ' ';
    }
    out += printed(a);
  });
  return out;
}

function pad(s: string, width: number | undefined, minus: boolean, zero: boolean): string {
  if (width === undefined || s.length >= width) {
    return s;
  }
  if (minus) {
    return s.padEnd(width);
  }
  if (zero) {
    const sign = /^[+-]/.test(s) ? s[0] ?? '' : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width);
}

function badVerb(verb: string, v: unknown): string {
  return kind(v) === 'invalid' ? `%!${verb}(<nil>)` : `%!${verb}(${goTypeName(v)}=${printed(v)})`;
}

function formatOne(verb: string, v: unknown, flags: string, prec: number | undefined): string {
  const k = kind(v);
  const plus = flags.includes('+');
  const sign = (n: number, s: string): string => (plus && n >= 0 ? `+${s}` : s);
  switch (verb) {
    case 'v':
      return flags.includes('#') ? goSharpV(plain(v)) : printed(v);
    case 's':
      if (k === 'string') {
        return prec === undefined ? (v as string) : [...(v as string)].slice(0, prec).join('');
      }
      return k === 'map' || k === 'slice' ? printed(v) : badVerb(verb, v);
    case 'q':
      return k === 'string' ? goQuote(v as string) : k === 'int' ? `'${String.fromCodePoint(num(v))}'` : badVerb(verb, v);
    case 'd':
      return k === 'int' ? sign(num(v), goNumber(num(v))) : badVerb(verb, v);
    case 'f': case 'F': case 'e': case 'g':
      if (k !== 'float') {
        return badVerb(verb, v);
      }
      if (verb === 'g') {
        return sign(num(v), prec === undefined ? goFloat(num(v)) : String(Number(num(v).toPrecision(prec))));
      }
      if (verb === 'e') {
        return sign(num(v), num(v).toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2'));
      }
      return sign(num(v), num(v).toFixed(prec ?? 6));
    case 'x': case 'X': {
      let s: string;
      if (k === 'int') {
        s = num(v).toString(16);
      } else if (k === 'string') {
        s = Buffer.from(v as string).toString('hex');
      } else {
        return badVerb(verb, v);
      }
      return verb === 'X' ? s.toUpperCase() : s;
    }
    case 't':
      return k === 'bool' ? String(v) : badVerb(verb, v);
    case 'c':
      return k === 'int' ? String.fromCodePoint(num(v)) : badVerb(verb, v);
    case 'T':
      return goTypeName(v);
    default:
      return badVerb(verb, v);
  }
}

/** fmt.Sprintf for the verbs templates use (v s q d f e g x X t c T %), flags `-+#0 `, width and precision. */
export function goSprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+# 0]*)(\d+|\*)?(?:\.(\d*))?([a-zA-Z%])?/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', widthText, precText, verb] = m;
    if (verb === undefined) {
      out += '%!(NOVERB)';
      continue;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    let width = widthText === undefined ? undefined : Number(widthText);
    if (widthText === '*') {
      width = Number(plain(args[argi++]));
    }
    const prec = precText === undefined ? undefined : Number(precText || '0');
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const s = formatOne(verb, args[argi++], flags, prec);
    out += pad(s, width, flags.includes('-'), flags.includes('0') && 'dfeFgxX'.includes(verb));
  }
  out += format.slice(last);
  if (argi < args.length) {
    out += `%!(EXTRA ${args.slice(argi).map((a) => `${goTypeName(a)}=${printed(a)}`).join(', ')})`;
  }
  return out;
}

/** text/template's truth: non-zero numbers, non-empty strings/maps/slices, true. */
export function truth(v: unknown): boolean {
  switch (kind(v)) {
    case 'invalid': return false;
    case 'bool': return v as boolean;
    case 'int': case 'float': return num(v) !== 0;
    case 'string': return (v as string).length > 0;
    case 'slice': return (v as unknown[]).length > 0;
    case 'map': return Object.keys(v as object).length > 0;
  }
}

function basic(v: unknown): { k: Kind; x: unknown } {
  const k = kind(v);
  if (k === 'invalid' || k === 'map' || k === 'slice') {
    throw new Error('invalid type for comparison');
  }
  return { k, x: k === 'int' || k === 'float' ? num(v) : v };
}

function eq(a: unknown, others: readonly unknown[]): boolean {
  if (others.length === 0) {
    throw new Error('missing argument for comparison');
  }
  const k1 = kind(a);
  for (const b of others) {
    const k2 = kind(b);
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') {
        throw new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
      }
      continue;
    }
    if (k1 === 'map' || k1 === 'slice') {
      throw new Error(`non-comparable type ${printed(b)}: ${goTypeName(b)}`);
    }
    if (k1 === 'invalid' || plain(a) === plain(b)) {
      return true;
    }
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const x = basic(a);
  const y = basic(b);
  if (x.k !== y.k) {
    throw new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  }
  if (x.k === 'bool') {
    throw new Error('invalid type for comparison');
  }
  return (x.x as number | string) < (y.x as number | string);
}

function index(item: unknown, keys: readonly unknown[]): unknown {
  let v = item;
  for (const key of keys) {
    const k = kind(v);
    if (k === 'invalid') {
      throw new Error('index of untyped nil');
    }
    if (k === 'map') {
      if (typeof key !== 'string') {
        throw new Error(`value has type ${goTypeName(key)}; should be string`);
      }
      v = Object.hasOwn(v as object, key) ? (v as Record<string, unknown>)[key] : null;
    } else if (k === 'slice' || k === 'string') {
      if (kind(key) !== 'int') {
        throw new Error(`cannot index slice/array with type ${goTypeName(key)}`);
      }
      const arr = k === 'string' ? [...Buffer.from(v as string)] : (v as unknown[]);
      const i = num(key);
      // Go checks the index against the slice's length before anything else.
      if (i < 0 || i >= arr.length) {
        throw new Error(`index out of range: ${i}`);
      }
      v = arr[i];
    } else {
      throw new Error(`can't index item of type ${goTypeName(v)}`);
    }
  }
  return v;
}

function exists(item: unknown, keys: readonly unknown[]): boolean {
  try {
    const v = index(item, keys);
    return kind(v) !== 'invalid';
  } catch {
    return false;
  }
}

function stringArg(v: unknown): string {
  if (kind(v) === 'invalid') {
    throw new Error('invalid value; expected string');
  }
  if (typeof v !== 'string') {
    throw new Error(`wrong type for value; expected string; got ${goTypeName(v)}`);
  }
  return v;
}

function base64decode(v: unknown): string {
  const s = stringArg(v);
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad || s.length % 4 !== 0) {
    const at = bad ? bad.index : s.length - (s.length % 4);
    throw new Error(`base64 decode failed: illegal base64 data at input byte ${at}`);
  }
  return Buffer.from(s, 'base64').toString('latin1') === '' ? '' : Buffer.from(s, 'base64').toString('utf8');
}

/** Calls a template function; `args` are evaluated lazily so `and`/`or` can short-circuit. */
export function callFunction(name: string, args: readonly (() => unknown)[]): unknown {
  const all = (): unknown[] => args.map((a) => a());
  const need = (n: number): unknown[] => {
    if (args.length !== n) {
      throw new Error(`wrong number of args for ${name}: want ${n} got ${args.length}`);
    }
    return all();
  };
  switch (name) {
    case 'and':
    case 'or': {
      if (args.length === 0) {
        throw new Error(`wrong number of args for ${name}: want at least 1 got 0`);
      }
      let v: unknown;
      for (const a of args) {
        v = a();
        if (truth(v) === (name === 'or')) {
          return v;
        }
      }
      return v;
    }
    case 'not': return !truth(need(1)[0]);
    case 'len': {
      const [v] = need(1);
      switch (kind(v)) {
        case 'string': return Buffer.byteLength(v as string);
        case 'slice': return (v as unknown[]).length;
        case 'map': return Object.keys(v as object).length;
        case 'invalid': throw new Error('len of nil pointer');
        default: throw new Error(`len of type ${goTypeName(v)}`);
      }
    }
    case 'index': {
      const [item, ...keys] = all();
      return index(item, keys);
    }
    case 'exists': {
      const [item, ...keys] = all();
      return exists(item, keys);
    }
    case 'print': return goSprint(all());
    case 'println': return `${all().map(printed).join(' ')}\n`;
    case 'printf': {
      const [format, ...rest] = all();
      return goSprintf(stringArg(format), rest);
    }
    case 'eq': {
      const [a, ...rest] = all();
      return eq(a, rest);
    }
    case 'ne': {
      const [a, b] = need(2);
      return !eq(a, [b]);
    }
    case 'lt': { const [a, b] = need(2); return lt(a, b); }
    case 'le': { const [a, b] = need(2); return lt(a, b) || eq(a, [b]); }
    case 'gt': { const [a, b] = need(2); return !(lt(a, b) || eq(a, [b])); }
    case 'ge': { const [a, b] = need(2); return !lt(a, b); }
    case 'base64decode': return base64decode(need(1)[0]);
    case 'html': return goSprint(all()).replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c] ?? c);
    case 'urlquery': return encodeURIComponent(goSprint(all())).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}`);
    case 'js': return goSprint(all()).replace(/[\\'"<>&=\n\r\t]/g, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
    default:
      throw new Error(`function ${name} is not supported`);
  }
}
