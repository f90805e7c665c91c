/**
 * A tiny flag parser shared by every `k8ts` command, with upstream's (pflag) spellings:
 * `--name value`, `--name=value`, booleans (`--flag`, `--flag=false`), repeated flags and
 * comma-separated lists for `strings`, and `--` ending the flags.
 */

/** How a flag takes its value. */
export const FlagType = { String: 'string', Boolean: 'boolean', Int: 'int', Strings: 'strings' } as const;
export type FlagType = (typeof FlagType)[keyof typeof FlagType];

/** One flag's definition. */
export interface FlagSpec {
  readonly type: FlagType;
  readonly help: string;
  readonly default?: string | boolean | number | readonly string[];
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The parsed value type for each flag type. */
type ValueOf<S extends FlagSpec> = S['type'] extends 'boolean' ? boolean : S['type'] extends 'int' ? number : S['type'] extends 'strings' ? string[] : string;

/** Parsed flags: each flag with a default (or a boolean/list) is always present. */
export type FlagValues<T extends FlagSpecs> = { -readonly [K in keyof T]: ValueOf<T[K]> | undefined };

/** A command-line mistake: the message is printed with the usage, exit code 1. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

/** The result of parsing: flag values, positional arguments, and whether help was asked for. */
export interface ParsedArgs<T extends FlagSpecs> {
  readonly flags: FlagValues<T>;
  readonly args: string[];
  readonly help: boolean;
}

function parseBool(name: string, text: string): boolean {
  // Go's strconv.ParseBool, which pflag uses.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) {
    return true;
  }
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) {
    return false;
  }
  throw new FlagError(`invalid argument "${text}" for "--${name}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`);
}

function parseInt10(name: string, text: string): number {
  if (!/^-?\d+$/.test(text)) {
    throw new FlagError(`invalid argument "${text}" for "--${name}" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  }
  return Number(text);
}

/** Parses argv against specs; throws FlagError for unknown flags, missing or malformed values. */
export function parseFlags<T extends FlagSpecs>(argv: readonly string[], specs: T): ParsedArgs<T> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.default !== undefined) {
      values[name] = Array.isArray(spec.default) ? [...(spec.default as string[])] : spec.default;
    } else if (spec.type === 'boolean') {
      values[name] = false;
    }
  }
  const listSeen = new Set<string>();
  const args: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h' || a === '--help') {
      help = true;
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = specs[name];
    if (spec === undefined) {
      throw new FlagError(`unknown flag: --${name}`);
    }
    let text: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (spec.type === 'boolean') {
      values[name] = text === undefined ? true : parseBool(name, text);
      continue;
    }
    if (text === undefined) {
      if (i + 1 >= argv.length) {
        throw new FlagError(`flag needs an argument: --${name}`);
      }
      text = argv[++i];
    }
    if (spec.type === 'int') {
      values[name] = parseInt10(name, text);
    } else if (spec.type === 'strings') {
      // The first use replaces the default; later uses append (pflag's StringSlice).
      const prev = listSeen.has(name) ? (values[name] as string[]) : [];
      listSeen.add(name);
      values[name] = [...prev, ...text.split(',').map((s) => s.trim()).filter((s) => s !== '')];
    } else {
      values[name] = text;
    }
  }
  return { flags: values as FlagValues<T>, args, help };
}

/** Usage text listing each flag with its type and default. */
export function formatUsage(usageLine: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const type = spec.type === 'boolean' ? '' : ` ${spec.type === 'strings' ? 'strings' : spec.type}`;
    const def = spec.default === undefined || spec.default === false || (Array.isArray(spec.default) && spec.default.length === 0) ? '' : ` (default ${Array.isArray(spec.default) ? `[${spec.default.join(',')}]` : String(spec.default)})`;
    return [`      --${name}${type}`, `${spec.help}${def}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 3;
  return `${usageLine}\n\nFlags:\n${rows.map(([l, r]) => `${l.padEnd(width)}${r}`).join('\n')}\n  -h, --help${' '.repeat(Math.max(1, width - 12))}help for this command\n`;
}

/**
 * Splits repeatable `--<component>-arg name=value` flags off argv (their values may hold commas,
 * which the parser would split) and turns each into the component's own `--name value`.
 */
export function passThrough<C extends string>(argv: readonly string[], components: readonly C[]): { rest: string[] } & Record<C, string[]> {
  const rest: string[] = [];
  const out = Object.fromEntries(components.map((c) => [c, [] as string[]])) as Record<C, string[]>;
  const re = new RegExp(`^--(${components.join('|')})-arg(?:=(.*))?$`);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const m = re.exec(a);
    if (m === null) {
      rest.push(a);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      throw new FlagError(`flag needs an argument: --${m[1]}-arg`);
    }
    const [name = '', ...v] = value.replace(/^--?/, '').split('=');
    out[m[1] as C].push(`--${name}`, ...(v.length > 0 ? [v.join('=')] : []));
  }
  return { rest, ...out };
}
