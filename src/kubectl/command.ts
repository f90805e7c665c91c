/**
 * The contract between the kubectl dispatcher and its verbs (cobra's Command, reduced): each verb
 * module under ./verbs/ default-exports a `Verb`; the dispatcher parses global flags and the
 * verb's own flags together (global flags may appear anywhere, as with cobra's persistent flags),
 * builds a `KubectlContext` and calls `run`. A verb returns the exit code, or throws: a
 * `StatusError` prints as `Error from server (Reason): message`, a `CliError` as `error: message`.
 */
import type { Readable, Writable } from 'node:stream';
import type { RestClient } from '../client/rest.ts';
import type { ClientConnection } from '../kubeconfig/index.ts';

/** Value kinds a flag can take (pflag's types that kubectl uses). */
export type FlagType = 'bool' | 'string' | 'int' | 'stringArray' | 'duration' | 'stringSlice';

/** One flag of a verb (or a global flag). */
export interface FlagSpec {
  /** Long name without dashes: `output`. */
  readonly name: string;
  /** One-letter short name: `o`. */
  readonly short?: string;
  readonly type: FlagType;
  /** Default as upstream documents it; `undefined` = unset. Durations are in milliseconds. */
  readonly default?: string | number | boolean | readonly string[];
  readonly usage: string;
  /** Bool flags that take `--flag=value` only (e.g. `--dry-run` is a string with NoOptDefVal). */
  readonly noOptDefault?: string;
  /** Left out of `--help` (cobra's MarkHidden / deprecated flags). */
  readonly hidden?: boolean;
}

/** Parsed flag values by long name. Unset flags hold their default (absent if none). */
export type FlagValues = ReadonlyMap<string, string | number | boolean | readonly string[]>;

/** A resolved API resource (from discovery): what `deploy`, `deployments.apps`, `Deployment` map to. */
export interface ResourceMapping {
  readonly group: string;
  readonly version: string;
  /** Plural resource name: `deployments`. */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames: readonly string[];
  readonly singularName: string;
  readonly categories: readonly string[];
}

/** Discovery, served from the on-disk cache when fresh (like upstream's ~/.kube/cache). */
export interface Discovery {
  /** Maps a user-typed resource (`po`, `pods`, `deployments.apps`, `deploy.v1.apps`, `Pod`) to one mapping; throws upstream's "the server doesn't have a resource type" error. */
  resolve(typed: string): Promise<ResourceMapping>;
  /**
   * What resolve() answers when `typed` is exactly the plural or singular name of a resource in the
   * highest-priority group (no short name or category can take it over then), found without reading
   * the whole discovery; undefined when that needs the whole discovery.
   */
  exactInFirstGroup?(typed: string): Promise<ResourceMapping | undefined>;
  /** Maps a group/version/kind (from a manifest) to its resource. */
  forKind(apiVersion: string, kind: string): Promise<ResourceMapping>;
  /** All resources (preferred versions), for api-resources and `all`/categories. */
  all(): Promise<readonly ResourceMapping[]>;
  /** Drops the cache and re-reads (after a miss, as upstream does once). */
  invalidate(): Promise<void>;
}

/** What every verb gets. */
export interface KubectlContext {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  /** Global flags (--kubeconfig, --context, -n/--namespace, --server, --token, ...). */
  readonly globals: FlagValues;
  /** The namespace to use and whether the user set it with -n (verbs that refuse a mismatch need to know). */
  namespace(): Promise<{ readonly namespace: string; readonly explicit: boolean }>;
  /** The connection for the selected context with global overrides applied. */
  connection(): Promise<ClientConnection>;
  /** A RestClient for it (created once, no client-side rate limiting beyond upstream kubectl's). */
  client(): Promise<RestClient>;
  discovery(): Promise<Discovery>;
  /** Long names of the flags the user set on the command line (cobra's `Flags().Changed`). */
  readonly changed?: ReadonlySet<string>;
  /** Index in `args` where `--` appeared (cobra's ArgsLenAtDash), -1 if it did not. */
  readonly dashAt?: number;
  /** The command path for messages (`get`, `rollout status`): `See 'kubectl <path> --help' for usage.`. */
  readonly commandPath?: string;
}

/** One kubectl verb (`get`, `apply`, `rollout`, ...). Verbs with sub-verbs dispatch inside `run`. */
export interface Verb {
  /** Cobra's `Use` line: `get [(-o|--output=)json|yaml|...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]`. */
  readonly use: string;
  readonly short: string;
  /** Cobra's `Long` (help text; `short` is used when absent). */
  readonly long?: string;
  /** Cobra's `Example`, indented as upstream prints it. */
  readonly example?: string;
  /**
   * Loads `long` and `example` when `--help` asks for them, for verbs on the start-up-critical
   * path (`get`) whose help texts would otherwise be loaded on every run.
   */
  readonly loadHelp?: () => Promise<{ readonly long?: string; readonly example?: string }>;
  /** Other names the verb answers to. */
  readonly aliases?: readonly string[];
  readonly flags: readonly FlagSpec[];
  /**
   * Cobra appends ` [flags]` to the usage line unless DisableFlagsInUseLine is set, which kubectl
   * sets on nearly every command; true for the few that leave it unset (cluster-info, top).
   */
  readonly flagsInUseLine?: boolean;
  /** Verbs with their own sub-verbs (rollout, config, set, create) parse the rest themselves. */
  readonly passThroughArgs?: boolean;
  run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number>;
}

/** An error kubectl prints as `error: <message>` (exit code 1 unless given). */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Several errors reported together (kubectl's utilerrors.Aggregate): printed one per line. */
export class ErrorList extends Error {
  readonly errors: readonly unknown[];
  constructor(errors: readonly unknown[]) {
    super(errors.map((e) => (e instanceof Error ? e.message : String(e))).join(', '));
    this.name = 'ErrorList';
    this.errors = errors;
  }
}

/** An error that carries a ready-made line (kubectl's own "Error in configuration: …" and similar). */
export class RawMessageError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'RawMessageError';
    this.exitCode = exitCode;
  }
}
