/**
 * pflag-compatible command-line parsing: `--f=v`, `--f v`, `-n ns`, `-nns`, `-n=ns`, combined
 * bool shorts (`-it`), `--bool=false`, `--` terminator, repeated stringArray, comma-split
 * stringSlice; flags and arguments may be interspersed. Error texts are pflag's, word for word.
 */
import type { FlagSpec, FlagValues } from '../command.ts';

/** A parse failure; the dispatcher prints `error: <message>` and `See 'kubectl <command> --help' for usage.`. */
export class FlagError extends Error {
  /** The command path for the usage hint (`get`, `config view`); filled in by whoever knows it. */
  command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'FlagError';
    this.command = command;
  }
}

/** The result of parsing one command line. */
export interface ParsedFlags {
  /** Every spec's value: the parsed one, else its default (absent if none). */
  readonly values: Map<string, string | number | boolean | readonly string[]>;
  /** Long names of the flags the user set (cobra's `Changed`). */
  readonly changed: Set<string>;
  /** Positional arguments, in order. */
  readonly args: string[];
  /** Index in `args` where `--` appeared (cobra's ArgsLenAtDash), -1 if it did not. */
  readonly dashAt: number;
  /** Whether `-h`/`--help` was given (never an error, as in cobra). */
  readonly help: boolean;
}

/** Options for parseFlags. */
export interface ParseOptions {
  /** Leave flags not in `specs` (with what may be their value) in `args` instead of failing: for sub-verbs that parse again. */
  readonly allowUnknown?: boolean;
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function displayName(spec: FlagSpec): string {
  return spec.short === undefined ? `--${spec.name}` : `-${spec.short}, --${spec.name}`;
}

/** Go's time.ParseDuration, in milliseconds (`1h2m3.5s`, `300ms`, `0`). */
export function parseDuration(text: string): number {
  const bad = (): never => {
    throw new Error(`time: invalid duration "${text}"`);
  };
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') {
    return 0;
  }
  if (s === '') {
    bad();
  }
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /^(\d*\.?\d*)([a-zµμ]*)/;
  while (s !== '') {
    const m = re.exec(s);
    if (m === null || m[1] === '' || m[1] === '.') {
      bad();
    }
    const [all, num, unit] = m as RegExpExecArray;
    if (unit === '') {
      throw new Error(`time: missing unit in duration "${text}"`);
    }
    const factor = units[unit];
    if (factor === undefined) {
      throw new Error(`time: unknown unit "${unit}" in duration "${text}"`);
    }
    total += Number(num) * factor;
    s = s.slice(all.length);
  }
  return sign * total;
}

/** Converts one textual value for `spec`; throws pflag's "invalid argument" error. */
function convert(spec: FlagSpec, raw: string, previous: unknown): string | number | boolean | readonly string[] {
  const invalid = (why: string): never => {
    throw new FlagError(`invalid argument "${raw}" for "${displayName(spec)}" flag: ${why}`);
  };
  switch (spec.type) {
    case 'bool':
      if (TRUE.has(raw)) {
        return true;
      }
      if (FALSE.has(raw)) {
        return false;
      }
      return invalid(`strconv.ParseBool: parsing "${raw}": invalid syntax`);
    case 'int': {
      const t = raw.trim();
      if (!/^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|\d+)$/.test(t)) {
        return invalid(`strconv.ParseInt: parsing "${raw}": invalid syntax`);
      }
      const neg = t.startsWith('-');
      const body = t.replace(/^[+-]/, '');
      const n = /^0[0-7]+$/.test(body) ? Number.parseInt(body, 8) : Number(body.replace(/^0[oO]/, '0o'));
      return neg ? -n : n;
    }
    case 'duration':
      try {
        return parseDuration(raw);
      } catch (e) {
        return invalid((e as Error).message);
      }
    case 'stringArray':
      return [...(Array.isArray(previous) ? (previous as string[]) : []), raw];
    case 'stringSlice':
      return [...(Array.isArray(previous) ? (previous as string[]) : []), ...(raw === '' ? [] : raw.split(','))];
    default:
      return raw;
  }
}

/** Parses `argv` against `specs` (pflag semantics, interspersed). Throws FlagError. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], opts: ParseOptions = {}): ParsedFlags {
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const s of specs) {
    byLong.set(s.name, s);
    if (s.short !== undefined) {
      byShort.set(s.short, s);
    }
  }
  const values = new Map<string, string | number | boolean | readonly string[]>();
  for (const s of specs) {
    if (s.default !== undefined) {
      values.set(s.name, s.default);
    }
  }
  const changed = new Set<string>();
  const args: string[] = [];
  let dashAt = -1;
  let help = false;

  const set = (spec: FlagSpec, raw: string): void => {
    // Array flags start from empty when first set on the command line: the default is replaced.
    const previous = changed.has(spec.name) ? values.get(spec.name) : undefined;
    values.set(spec.name, convert(spec, raw, previous));
    changed.add(spec.name);
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      dashAt = args.length;
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byLong.get(name);
      if (spec === undefined) {
        if (name === 'help') {
          help = true;
          continue;
        }
        if (opts.allowUnknown === true) {
          args.push(a);
          continue;
        }
        throw new FlagError(`unknown flag: --${name}`);
      }
      if (eq >= 0) {
        set(spec, a.slice(eq + 1));
      } else if (spec.type === 'bool') {
        set(spec, 'true');
      } else if (spec.noOptDefault !== undefined) {
        set(spec, spec.noOptDefault);
      } else if (i + 1 < argv.length) {
        set(spec, argv[++i]);
      } else {
        throw new FlagError(`flag needs an argument: --${name}`);
      }
      continue;
    }
    // Shorthands: each letter a flag until one takes the rest (or the next argument) as its value.
    const shorts = a.slice(1);
    for (let j = 0; j < shorts.length; j++) {
      const c = shorts[j];
      const spec = byShort.get(c);
      if (spec === undefined) {
        if (c === 'h') {
          help = true;
          continue;
        }
        if (opts.allowUnknown === true) {
          args.push(j === 0 ? a : `-${shorts.slice(j)}`);
          break;
        }
        throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
      }
      const rest = shorts.slice(j + 1);
      if (rest.startsWith('=')) {
        set(spec, rest.slice(1));
        break;
      }
      if (spec.type === 'bool') {
        set(spec, 'true');
        continue;
      }
      if (spec.noOptDefault !== undefined) {
        // As pflag: a shorthand with a no-option default takes it, and the rest are more shorthands.
        set(spec, spec.noOptDefault);
        continue;
      }
      if (rest !== '') {
        set(spec, rest);
      } else if (i + 1 < argv.length) {
        set(spec, argv[++i]);
      } else {
        throw new FlagError(`flag needs an argument: '${c}' in ${a}`);
      }
      break;
    }
  }
  return { values, changed, args, dashAt, help };
}

/** Reads a string flag ('' when unset). */
export function stringFlag(flags: FlagValues, name: string): string {
  const v = flags.get(name);
  return typeof v === 'string' ? v : '';
}

/** Reads a bool flag (false when unset). */
export function boolFlag(flags: FlagValues, name: string): boolean {
  return flags.get(name) === true;
}

/** Reads an int or duration flag (`fallback` when unset). */
export function numberFlag(flags: FlagValues, name: string, fallback = 0): number {
  const v = flags.get(name);
  return typeof v === 'number' ? v : fallback;
}

/** Reads a stringArray/stringSlice flag ([] when unset). */
export function arrayFlag(flags: FlagValues, name: string): readonly string[] {
  const v = flags.get(name);
  return Array.isArray(v) ? (v as readonly string[]) : [];
}
