/**
 * Runs one generator as a kubectl sub-command (`create deployment`, `create secret generic`):
 * required flags, exactly one NAME, the object, `--save-config`, then POST (unless
 * `--dry-run=client`) and print — the steps of upstream's CreateSubcommandOptions.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FlagSpec, FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import type { Generator, GeneratorIO, JsonObject } from '../generators/types.ts';
import { DryRun, dryRunFlag, dryRunStrategy, fieldManagerFlag, fieldValidation, printFlags, printObject, saveConfigFlag, validateFlag } from './common.ts';
import { setLastApplied } from './lastapplied.ts';

/** The flags every create sub-command has besides its own. */
export const createSubcommandFlags: readonly FlagSpec[] = [...printFlags, dryRunFlag, saveConfigFlag, validateFlag, fieldManagerFlag('kubectl-create')];

/** Cobra's required-flag check: `required flag(s) "image", "schedule" not set`. */
export function checkRequired(ctx: KubectlContext, required: readonly string[]): void {
  const missing = required.filter((r) => !(ctx.changed?.has(r) ?? false));
  if (missing.length > 0) {
    throw new CliError(`required flag(s) ${missing.map((m) => `"${m}"`).join(', ')} not set`);
  }
}

/** Upstream's NameFromCommandArgs: exactly one NAME before `--`. */
export function nameFromArgs(ctx: KubectlContext, args: readonly string[]): { name: string; rest: string[] } {
  const n = ctx.dashAt !== undefined && ctx.dashAt >= 0 ? ctx.dashAt : args.length;
  if (n !== 1) {
    throw new CliError(`exactly one NAME is required, got ${n}\nSee 'kubectl ${ctx.commandPath ?? 'create'} -h' for help and examples`);
  }
  return { name: args[0] ?? '', rest: args.slice(1) };
}

/** The generator's outside world for a real kubectl run. */
export function generatorIO(ctx: KubectlContext): GeneratorIO {
  return {
    readFile: async (path) => {
      try {
        return await readFile(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new CliError(code === 'ENOENT' ? `error reading ${path}: no such file or directory` : `error reading ${path}: ${(e as Error).message}`);
      }
    },
    listDir: async (path) => {
      const st = await stat(path).catch(() => undefined);
      if (st === undefined) {
        throw new CliError(`error reading ${path}: no such file or directory`);
      }
      if (!st.isDirectory()) {
        return undefined;
      }
      const names: string[] = [];
      for (const entry of (await readdir(path)).sort()) {
        if ((await stat(join(path, entry))).isFile()) {
          names.push(entry);
        }
      }
      return names;
    },
    env: ctx.env,
    resolveResource: async (typed) => {
      const m = await (await ctx.discovery()).resolve(typed);
      return { group: m.group, resource: m.resource };
    },
    getObject: async (ref) => (await (await ctx.client()).get(ref)) as JsonObject,
    warn: (line) => ctx.stderr.write(`${line}\n`),
  };
}

/** Runs `gen` for one command line; returns the exit code. */
export async function runGenerator(ctx: KubectlContext, gen: Generator, args: readonly string[], flags: FlagValues): Promise<number> {
  checkRequired(ctx, gen.required ?? []);
  const { name, rest } = nameFromArgs(ctx, args);
  const dryRun = dryRunStrategy(flags);
  const validation = fieldValidation(flags);
  const ns = await ctx.namespace();
  let obj = await gen.generate({ name, args: rest, flags, enforcedNamespace: ns.explicit && gen.target.namespaced ? ns.namespace : undefined, namespace: ns.namespace }, generatorIO(ctx));
  if (flags.get('save-config') === true) {
    obj = setLastApplied(obj, 'typed');
  }
  if (dryRun !== DryRun.Client) {
    const client = await ctx.client();
    // upstream decodes the answer into the typed struct: status fields the server left out print as zero values
    const zeroStatus = obj.status;
    try {
      obj = (await client.create(
        { group: gen.target.group, version: gen.target.version, resource: gen.target.resource, namespace: gen.target.namespaced ? ns.namespace : undefined },
        obj,
        { fieldManager: typeof flags.get('field-manager') === 'string' ? (flags.get('field-manager') as string) : 'kubectl-create', fieldValidation: validation, dryRun: dryRun === DryRun.Server ? 'All' : undefined },
      )) as JsonObject;
    } catch (e) {
      if (e instanceof StatusError && gen.errorNoun !== undefined) {
        throw new CliError(`failed to create ${gen.errorNoun}: ${e.message}`);
      }
      throw e;
    }
    if (typeof zeroStatus === 'object' && zeroStatus !== null && typeof obj.status === 'object' && obj.status !== null) {
      obj = { ...obj, status: { ...(zeroStatus as JsonObject), ...(obj.status as JsonObject) } };
    }
  }
  await printObject(ctx, flags, obj, 'created', dryRun, true);
  return 0;
}

/** A generator wrapped as a cobra-like sub-command Verb. */
export function generatorVerb(gen: Generator): Verb {
  return {
    use: gen.use,
    short: gen.short,
    aliases: gen.aliases,
    flags: [...gen.flags, ...createSubcommandFlags],
    run: (ctx, args, flags) => runGenerator(ctx, gen, args, flags),
  };
}
