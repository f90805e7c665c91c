/**
 * `k8ts kubectl`: finds the verb (global flags may come before it), loads only that verb's module,
 * parses global and verb flags together (pflag rules), runs it and prints errors the way
 * kubectl's cmdutil.CheckErr does. Returns the exit code.
 */
import type { Readable, Writable } from 'node:stream';
import type { FlagSpec, Verb } from './command.ts';
import { FlagError, parseFlags } from './cli/flags.ts';
import { findVerbIndex, globalFlags } from './cli/globals.ts';
import { createContext } from './context.ts';

type VerbLoader = () => Promise<{ default: Verb }>;

/**
 * The verb table: name → lazy module. One line per verb; owners add their own line
 * (kubectl-common.md). Aliases are declared on the Verb itself and also listed here.
 */
const verbs: Readonly<Record<string, VerbLoader>> = {
  version: () => import('./verbs/version.ts'),
  get: () => import('./verbs/get.ts'),
  'api-resources': () => import('./verbs/api-resources.ts'),
  'api-versions': () => import('./verbs/api-versions.ts'),
  'cluster-info': () => import('./verbs/cluster-info.ts'),
  config: () => import('./verbs/config.ts'),
  create: () => import('./verbs/create.ts'),
  apply: () => import('./verbs/apply.ts'),
  delete: () => import('./verbs/delete.ts'),
  label: () => import('./verbs/label.ts'),
  annotate: () => import('./verbs/annotate.ts'),
  scale: () => import('./verbs/scale.ts'),
  patch: () => import('./verbs/patch.ts'),
  replace: () => import('./verbs/replace.ts'),
  run: () => import('./verbs/run.ts'),
  expose: () => import('./verbs/expose.ts'),
  set: () => import('./verbs/set.ts'),
  edit: () => import('./verbs/edit.ts'),
  logs: () => import('./verbs/logs.ts'),
  exec: () => import('./verbs/exec.ts'),
  attach: () => import('./verbs/attach.ts'),
  'port-forward': () => import('./verbs/port-forward.ts'),
  explain: () => import('./verbs/explain.ts'),
  cordon: () => import('./verbs/cordon.ts'),
  uncordon: () => import('./verbs/uncordon.ts'),
  taint: () => import('./verbs/taint.ts'),
  drain: () => import('./verbs/drain.ts'),
  rollout: () => import('./verbs/rollout.ts'),
  wait: () => import('./verbs/wait.ts'),
  auth: () => import('./verbs/auth.ts'),
  describe: () => import('./verbs/describe.ts'),
  cp: () => import('./verbs/cp.ts'),
  diff: () => import('./verbs/diff.ts'),
  completion: () => import('./verbs/completion.ts'),
  top: () => import('./verbs/top.ts'),
};

/** Where a kubectl run reads and writes (process streams by default; tests pass their own). */
export interface KubectlIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
}

function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (text === '') {
      resolve();
      return;
    }
    stream.write(text, () => resolve());
  });
}

/** Resolves once everything written to `stream` so far has been handed to the OS (or failed). */
function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0 || stream.destroyed) {
      resolve();
      return;
    }
    // Writes complete in order: an empty write's callback runs after the pending ones.
    stream.write('', () => resolve());
  });
}

/** Writes `error: <msg>` plus the usage hint for a flag error, returns 1. */
async function flagFailure(io: KubectlIO, e: FlagError, path: string): Promise<number> {
  const hint = (e.command ?? path) === '' ? "See 'kubectl --help' for usage." : `See 'kubectl ${e.command ?? path} --help' for usage.`;
  await write(io.stderr, `error: ${e.message}\n${hint}\n`);
  return 1;
}

function mergeSpecs(verbFlags: readonly FlagSpec[]): FlagSpec[] {
  // A verb's own flag wins over a global of the same name (cobra's local flags shadow persistent ones).
  const names = new Set(verbFlags.map((f) => f.name));
  const shorts = new Set(verbFlags.flatMap((f) => (f.short === undefined ? [] : [f.short])));
  return [...verbFlags, ...globalFlags.filter((g) => !names.has(g.name) && (g.short === undefined || !shorts.has(g.short)))];
}

/** The status a shell reports for a process killed by SIGPIPE. */
const EXIT_SIGPIPE = 128 + 13;

function processIO(): KubectlIO {
  // A reader that went away (`kubectl get pods -o yaml | head`): the Go binary dies of SIGPIPE without a
  // word; Node ignores SIGPIPE, so end quietly with the status a shell reports for that (128 + 13)
  // instead of an unhandled-error stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      process.exit(EXIT_SIGPIPE);
    }
    throw e;
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Only verbs that read stdin pay for creating process.stdin (fs streams, readline).
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

/** Runs kubectl with `argv` (the words after `kubectl`); resolves with the exit code. */
export async function kubectlMain(argv: readonly string[], io: KubectlIO = processIO()): Promise<number> {
  const at = findVerbIndex(argv);
  if (at < 0) {
    // No verb: cobra parses the root's flags, then prints the root help.
    try {
      parseFlags(argv, globalFlags);
    } catch (e) {
      if (e instanceof FlagError) {
        return flagFailure(io, e, '');
      }
      throw e;
    }
    await write(io.stdout, (await import('./cli/root-help.ts')).ROOT_HELP);
    return 0;
  }
  const name = argv[at];
  const rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
  const load = verbs[name];
  if (load === undefined) {
    // Help texts and suggestions are loaded only when needed: start-up time matters.
    const { ROOT_COMMANDS, ROOT_HELP } = await import('./cli/root-help.ts');
    if (name === 'help') {
      await write(io.stdout, ROOT_HELP);
      return 0;
    }
    const { suggestionsFor } = await import('./cli/suggest.ts');
    const suggestions = suggestionsFor(name, [...new Set([...ROOT_COMMANDS, ...Object.keys(verbs)])]);
    const did = suggestions.length === 0 ? '' : `\n\nDid you mean this?\n${suggestions.map((s) => `\t${s}\n`).join('')}`;
    await write(io.stderr, `error: unknown command "${name}" for "kubectl"${did}\n`.replace(/\n\n$/, '\n'));
    return 1;
  }
  const verb = (await load()).default;
  let parsed;
  try {
    parsed = verb.passThroughArgs === true ? parseFlags(rest, globalFlags, { allowUnknown: true }) : parseFlags(rest, mergeSpecs(verb.flags));
  } catch (e) {
    if (e instanceof FlagError) {
      return flagFailure(io, e, name);
    }
    throw e;
  }
  if (parsed.help && verb.passThroughArgs !== true) {
    const { formatHelp } = await import('./cli/help.ts');
    await write(io.stdout, formatHelp(name, verb.loadHelp === undefined ? verb : { ...verb, ...(await verb.loadHelp()) }));
    return 0;
  }
  // Sub-verb dispatchers see -h themselves; give it back to them as an argument.
  const args = parsed.help && verb.passThroughArgs === true ? [...parsed.args, '--help'] : parsed.args;
  // stdin is passed on unread (a getter): creating process.stdin loads fs streams and readline.
  const ctx = createContext({
    stdout: io.stdout,
    stderr: io.stderr,
    get stdin() {
      return io.stdin;
    },
    env: io.env,
    globals: parsed.values,
    changed: parsed.changed,
    dashAt: parsed.dashAt,
    commandPath: name,
  });
  try {
    return await verb.run(ctx, args, parsed.values);
  } catch (e) {
    if (e instanceof FlagError) {
      return flagFailure(io, e, name);
    }
    // Error wording is loaded only when there is an error to print.
    const { errorMessage, exitCodeOf } = await import('./cli/errors.ts');
    await write(io.stderr, `${errorMessage(e, ctx.serverHost())}\n`);
    return exitCodeOf(e);
  } finally {
    ctx.close();
  }
}

/**
 * Entry point for src/cmd/main.ts: runs with the process's streams, then ends the process once
 * stdout and stderr are flushed, as the Go binary does when main returns: nothing left behind
 * (an idle socket, a timer) keeps it alive, and Node's environment and heap teardown are skipped.
 */
export async function main(argv: string[]): Promise<number> {
  const code = await kubectlMain(argv);
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  // A write that failed late (its 'error' event not emitted yet) still counts as the broken pipe it was.
  process.exit((process.stdout.errored as NodeJS.ErrnoException | null)?.code === 'EPIPE' ? EXIT_SIGPIPE : code);
}
