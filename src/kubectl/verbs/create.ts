/** `kubectl create`: `-f FILENAME` objects, or one of the generator sub-commands (`create deployment ...`). */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { runSubverbs } from '../cli/subverbs.ts';
import type { SubverbTable } from '../cli/subverbs.ts';
import { createContext } from '../context.ts';
import { createEntries, findCreateEntry } from '../generators/index.ts';
import type { CreateEntry } from '../generators/index.ts';
import { generatorVerb } from '../mutate/generated.ts';
import { createFromFiles, createFileFlags } from '../mutate/create-files.ts';

const createLong = `Create a resource from a file or from stdin.

 JSON and YAML formats are accepted.`;

const createExample = `  # Create a pod using the data in pod.json
  kubectl create -f ./pod.json
  
  # Create a pod based on the JSON passed into stdin
  cat pod.json | kubectl create -f -
  
  # Edit the data in registry.yaml in JSON then create the resource using the edited data
  kubectl create -f registry.yaml --edit -o json`;

const table: SubverbTable = Object.fromEntries(
  createEntries.map((e) => [e.kind === 'generator' ? e.generator.name : e.name, { short: e.kind === 'generator' ? e.generator.short : e.short, load: () => Promise.reject(new Error('unreachable')) }]),
);

const aliases = new Map<string, string>(createEntries.flatMap((e) => (e.kind === 'generator' ? e.generator.aliases.map((a) => [a, e.generator.name] as const) : e.aliases.map((a) => [a, e.name] as const))));

/** Puts back the `--` the dispatcher consumed, so the sub-command sees its command after it. */
function withDash(ctx: KubectlContext, args: readonly string[]): string[] {
  const at = ctx.dashAt ?? -1;
  return at < 0 ? [...args] : [...args.slice(0, at), '--', ...args.slice(at)];
}

function firstPositional(args: readonly string[]): number {
  return args.findIndex((a) => !a.startsWith('-') || a === '-');
}

function runGeneratorEntry(ctx: KubectlContext, entry: Extract<CreateEntry, { kind: 'generator' }>, full: string[], at: number, globals: FlagValues): Promise<number> {
  full[at] = entry.generator.name;
  const one: SubverbTable = { [entry.generator.name]: { short: entry.generator.short, load: () => Promise.resolve(generatorVerb(entry.generator)) } };
  return runSubverbs(ctx, 'create', { short: createShort, long: createLong, example: createExample }, one, full, globals);
}

const createShort = 'Create a resource from a file or from stdin';

const create: Verb = {
  use: 'create -f FILENAME',
  short: createShort,
  long: createLong,
  example: createExample,
  flags: createFileFlags,
  passThroughArgs: true,
  async run(ctx: KubectlContext, args: readonly string[], globals: FlagValues): Promise<number> {
    const at = firstPositional(args);
    const word = at < 0 ? undefined : args[at];
    if (word !== undefined && (table[word] !== undefined || aliases.has(word))) {
      const full = withDash(ctx, args);
      const i = firstPositional(full);
      const entry = findCreateEntry(word);
      if (entry?.kind === 'generator' && entry.generator.flags.some((f) => f.name === 'user') && globals.has('user')) {
        // `--user` of rolebinding generators shadows the global kubeconfig-user flag (a cobra local flag)
        const own = new Map([...globals].filter(([k]) => k !== 'user'));
        const changed = new Set([...(ctx.changed ?? [])].filter((k) => k !== 'user'));
        const fresh = createContext({ stdout: ctx.stdout, stderr: ctx.stderr, stdin: ctx.stdin, env: ctx.env, globals: own, changed, dashAt: -1, commandPath: ctx.commandPath });
        // the dispatcher took `--user=x` as the global flag; give it back to the generator
        const dash = full.indexOf('--');
        full.splice(dash < 0 ? full.length : dash, 0, `--user=${String(globals.get('user'))}`);
        try {
          return await runGeneratorEntry(fresh, entry, full, i, own);
        } finally {
          fresh.close();
        }
      }
      // sub-commands count `--` from their own arguments
      const sub = Object.assign(Object.create(Object.getPrototypeOf(ctx) as object) as KubectlContext, ctx, { dashAt: -1 });
      if (entry?.kind === 'group') {
        // `create secret generic ...`: the group's own sub-commands, parsed with theirs
        const children: SubverbTable = Object.fromEntries(entry.children.map((g) => [g.name, { short: g.short, load: () => Promise.resolve(generatorVerb(g)) }]));
        full.splice(i, 1);
        return runSubverbs(sub, `create ${entry.name}`, { short: entry.short }, children, full, globals);
      }
      if (entry?.kind === 'generator') {
        return runGeneratorEntry(sub, entry, full, i, globals);
      }
      if (entry?.kind === 'verb') {
        full[i] = entry.name;
        const one: SubverbTable = { [entry.name]: { short: entry.short, load: entry.load } };
        return runSubverbs(sub, 'create', { short: createShort, long: createLong, example: createExample }, one, full, globals);
      }
    }
    if (at < 0 && (args.includes('--help') || args.includes('-h'))) {
      ctx.stdout.write(await createHelp());
      return 0;
    }
    return createFromFiles(ctx, args, globals);
  },
};

/** `kubectl create --help`: cobra's layout with the sub-commands after the examples. */
async function createHelp(): Promise<string> {
  const { formatHelp } = await import('../cli/help.ts');
  const names = Object.keys(table).sort();
  const width = Math.max(...names.map((n) => n.length)) + 3;
  const available = `Available Commands:\n${names.map((n) => `  ${n.padEnd(width)}${table[n].short}\n`).join('')}\n`;
  const text = formatHelp('create', create);
  const at = text.indexOf('Options:\n');
  const withCommands = at < 0 ? text : text.slice(0, at) + available + text.slice(at);
  return withCommands.replace('Use "kubectl options"', 'Use "kubectl create <command> --help" for more information about a given command.\nUse "kubectl options"');
}

export default create;
