/**
 * Dispatch for verbs with sub-verbs (`config view`, `rollout status`, `set image`, `create deployment`):
 * no sub-verb prints the parent's help to stderr (exit 1), an unknown one is cobra's "unknown command" error, and the
 * sub-verb's flags are parsed together with the global ones.
 */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { FlagError, parseFlags } from './flags.ts';
import { globalFlags } from './globals.ts';
import { formatHelp } from './help.ts';

/** A parent verb's sub-verbs: name → the Verb (short description given here so help needs no imports). */
export type SubverbTable = Readonly<Record<string, { readonly short: string; readonly load: () => Promise<Verb> }>>;

/** The parent's help: its long text, `Available Commands:`, usage `kubectl <parent> SUBCOMMAND [options]`. */
export function parentHelp(path: string, parent: Pick<Verb, 'short' | 'long' | 'example'>, table: SubverbTable, use = 'SUBCOMMAND'): string {
  const names = Object.keys(table).sort();
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const available = names.map((n) => `  ${n.padEnd(width)} ${table[n].short}\n`).join('');
  let out = `${parent.long ?? parent.short}\n\nAvailable Commands:\n${available}\n`;
  if (parent.example !== undefined && parent.example !== '') {
    out += `Examples:\n${parent.example}\n\n`;
  }
  out += `Usage:\n  kubectl ${path} ${use} [options]\n\n`;
  out += `Use "kubectl ${path} <command> --help" for more information about a given command.\n`;
  out += 'Use "kubectl options" for a list of global command-line options (applies to all commands).\n';
  return out;
}

/**
 * Runs the sub-verb named by the first positional argument. `args` are what the dispatcher passed
 * a `passThroughArgs` verb (unknown flags included); `globals` its parsed global flags.
 */
export async function runSubverbs(ctx: KubectlContext, path: string, parent: Pick<Verb, 'short' | 'long' | 'example'>, table: SubverbTable, args: readonly string[], globals: FlagValues): Promise<number> {
  const at = args.findIndex((a) => !a.startsWith('-') || a === '-');
  if (at < 0) {
    // cmdutil.DefaultSubCommandRun: the help goes to stderr and the exit code is 1.
    ctx.stderr.write(parentHelp(path, parent, table));
    return 1;
  }
  const name = args[at];
  const entry = table[name];
  if (entry === undefined) {
    ctx.stderr.write(`error: unknown command "${name}"\nSee 'kubectl ${path} -h' for help and examples\n`);
    return 1;
  }
  const verb = await entry.load();
  const subPath = `${path} ${name}`;
  const rest = [...args.slice(0, at), ...args.slice(at + 1)];
  const names = new Set(verb.flags.map((f) => f.name));
  let parsed;
  try {
    parsed = parseFlags(rest, [...verb.flags, ...globalFlags.filter((g) => !names.has(g.name))]);
  } catch (e) {
    if (e instanceof FlagError) {
      e.command ??= subPath;
    }
    throw e;
  }
  if (parsed.help) {
    ctx.stdout.write(formatHelp(subPath, verb));
    return 0;
  }
  const values = new Map(globals);
  for (const [k, v] of parsed.values) {
    // The dispatcher already parsed flags that share a global's name (--server, --namespace, ...):
    // keep those values unless this parse set them again.
    if (parsed.changed.has(k) || !values.has(k) || (names.has(k) && ctx.changed?.has(k) !== true)) {
      values.set(k, v);
    }
  }
  const changed = new Set([...(ctx.changed ?? []), ...parsed.changed]);
  const sub: KubectlContext = Object.assign(Object.create(Object.getPrototypeOf(ctx) as object) as KubectlContext, ctx, { changed, dashAt: parsed.dashAt, commandPath: subPath });
  try {
    return await verb.run(sub, parsed.args, values);
  } catch (e) {
    if (e instanceof FlagError) {
      e.command ??= subPath;
    }
    throw e;
  }
}
