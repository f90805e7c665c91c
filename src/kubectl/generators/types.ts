/**
 * What a `kubectl create <thing>` / `kubectl run` generator is: flags in, one object out, built
 * in Go struct field order so `-o json` and the request body match upstream byte for byte.
 */
import type { FlagSpec, FlagValues } from '../command.ts';
import { CliError } from '../command.ts';

/** A JSON object as the generators build it (insertion order = Go struct order). */
export type JsonObject = Record<string, unknown>;

/** The resource a generator's object is POSTed to. */
export interface GeneratedResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

/** Services a generator may need from outside (files, environment, resource name mapping, live objects). */
export interface GeneratorIO {
  readFile(path: string): Promise<Buffer>;
  /** Directory entries (regular files only, sorted), or undefined when `path` is not a directory. */
  listDir(path: string): Promise<readonly string[] | undefined>;
  readonly env: NodeJS.ProcessEnv;
  /** Maps a typed resource (`deploy`, `pods`, `deployments.apps`) to its group and plural; throws when unknown. */
  resolveResource(typed: string): Promise<{ readonly group: string; readonly resource: string }>;
  /** GETs a live object (for `create job --from=cronjob/x`). */
  getObject(ref: { readonly group: string; readonly version: string; readonly resource: string; readonly namespace?: string; readonly name: string }): Promise<JsonObject>;
  /** Prints a warning line to stderr (`Warning: ...`). */
  warn(line: string): void;
}

/** Everything a generator gets: the NAME, extra args (after `--`), parsed flags and the namespace (only when -n enforces it). */
export interface GeneratorInput {
  readonly name: string;
  readonly args: readonly string[];
  readonly flags: FlagValues;
  /** Set only when the namespace was given explicitly (upstream's EnforceNamespace). */
  readonly enforcedNamespace: string | undefined;
  readonly namespace: string;
}

/** One `kubectl create <sub>` generator (or `run`). */
export interface Generator {
  /** Sub-command name (`deployment`) and aliases (`deploy`). */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly use: string;
  readonly short: string;
  /** The generator's own flags (the common create flags are added by the create verb). */
  readonly flags: readonly FlagSpec[];
  /** Flags upstream marks required: `error: required flag(s) "image" not set`. */
  readonly required?: readonly string[];
  /** Where the object is POSTed; may depend on the flags (none do today). */
  readonly target: GeneratedResource;
  /** The noun in upstream's wrapped create error (`failed to create deployment: ...`), if it wraps. */
  readonly errorNoun?: string;
  /** Whether `NAME` is followed by a command after `--` (deployment, job, cronjob, run). */
  readonly takesCommand?: boolean;
  generate(input: GeneratorInput, io: GeneratorIO): Promise<JsonObject>;
}

/** A string flag ('' when unset). */
export function str(flags: FlagValues, name: string): string {
  const v = flags.get(name);
  return typeof v === 'string' ? v : v === undefined ? '' : String(v);
}

/** A number flag (`fallback` when unset). */
export function num(flags: FlagValues, name: string, fallback: number): number {
  const v = flags.get(name);
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    if (!Number.isInteger(n)) {
      throw new CliError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
    }
    return n;
  }
  return fallback;
}

/** A bool flag. */
export function bool(flags: FlagValues, name: string): boolean {
  const v = flags.get(name);
  return v === true || v === 'true';
}

/** A repeated flag (stringArray: each occurrence one value). */
export function list(flags: FlagValues, name: string): string[] {
  const v = flags.get(name);
  if (Array.isArray(v)) {
    return [...(v as readonly string[])];
  }
  if (typeof v === 'string' && v !== '') {
    return [v];
  }
  return [];
}

/** A pflag StringSlice flag: every occurrence is split on commas (CSV, as pflag does). */
export function slice(flags: FlagValues, name: string): string[] {
  return list(flags, name).flatMap((v) => (v === '' ? [] : v.split(',')));
}

/** `metadata` in ObjectMeta field order: name, namespace, labels, annotations. */
export function objectMeta(name: string, namespace: string | undefined, labels?: Record<string, string>): JsonObject {
  const meta: JsonObject = { name };
  if (namespace !== undefined && namespace !== '') {
    meta.namespace = namespace;
  }
  if (labels !== undefined && Object.keys(labels).length > 0) {
    meta.labels = labels;
  }
  return meta;
}

/** Go's json encoding of a map: keys sorted. */
export function sortedMap<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const m = new Map(entries);
  const out: Record<string, T> = {};
  for (const k of [...m.keys()].sort()) {
    out[k] = m.get(k) as T;
  }
  return out;
}
