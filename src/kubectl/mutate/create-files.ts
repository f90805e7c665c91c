/** `kubectl create -f FILENAME`: POST each object of the manifests (upstream's RunCreate). */
import type { FlagSpec, FlagValues, KubectlContext } from '../command.ts';
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import { FlagError, parseFlags } from '../cli/flags.ts';
import { ErrorList } from '../cli/errors.ts';
import { globalFlags } from '../cli/globals.ts';
import { DryRun, dryRunFlag, dryRunStrategy, fieldManagerFlag, fieldValidation, printFlags, printObject, saveConfigFlag, validateFlag } from './common.ts';
import { getLastApplied, setLastApplied } from './lastapplied.ts';
import { readManifests } from './manifests.ts';

/** `-f`, `-R`, `-k` as upstream's FilenameOptions. */
export function filenameFlags(usage: string): FlagSpec[] {
  return [
    { name: 'filename', short: 'f', type: 'stringArray', usage: `Filename, directory, or URL to files ${usage}` },
    { name: 'recursive', short: 'R', type: 'bool', default: false, usage: 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.' },
    { name: 'kustomize', short: 'k', type: 'string', usage: 'Process the kustomization directory. This flag can\'t be used together with -f or -R.' },
  ];
}

/** The flags of `kubectl create` itself. */
export const createFileFlags: readonly FlagSpec[] = [
  ...filenameFlags('to use to create the resource'),
  { name: 'edit', type: 'bool', default: false, usage: 'Edit the API resource before creating' },
  { name: 'raw', type: 'string', usage: 'Raw URI to POST to the server.  Uses the transport specified by the kubeconfig file.' },
  { name: 'selector', short: 'l', type: 'string', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
  { name: 'windows-line-endings', type: 'bool', default: false, usage: 'Only relevant if --edit=true. Defaults to the line ending native to your platform.' },
  dryRunFlag,
  saveConfigFlag,
  validateFlag,
  fieldManagerFlag('kubectl-create'),
  ...printFlags,
];

/** upstream's AddSourceToErr: API errors keep their reason, the message names the file. */
export function withSource(verb: string, source: string, e: unknown): unknown {
  if (e instanceof StatusError) {
    return new StatusError(e.code, e.reason, `error when ${verb} "${source}": ${e.message}`, e.details);
  }
  return e;
}

/** The comma-split values of a repeated `-f` (pflag StringSlice). */
export function filenames(flags: FlagValues): string[] {
  const v = flags.get('filename');
  const list = Array.isArray(v) ? (v as string[]) : typeof v === 'string' && v !== '' ? [v] : [];
  return list.flatMap((x) => x.split(','));
}

/** Parses `create`'s own flags (the dispatcher passed them through) and creates from files. */
export async function createFromFiles(ctx: KubectlContext, args: readonly string[], globals: FlagValues): Promise<number> {
  const names = new Set(createFileFlags.map((f) => f.name));
  let parsed;
  try {
    parsed = parseFlags(args, [...createFileFlags, ...globalFlags.filter((g) => !names.has(g.name))]);
  } catch (e) {
    if (e instanceof FlagError) {
      e.command ??= 'create';
    }
    throw e;
  }
  const flags = new Map(globals);
  for (const [k, v] of parsed.values) {
    if (!flags.has(k) || parsed.changed.has(k) || names.has(k)) {
      flags.set(k, v);
    }
  }
  const files = filenames(flags);
  if (parsed.args.length > 0) {
    throw new CliError(`Unexpected args: [${parsed.args.join(' ')}]\nSee 'kubectl create -h' for help and examples`);
  }
  if (files.length === 0) {
    throw new CliError('must specify one of -f and -k');
  }
  const dryRun = dryRunStrategy(flags);
  const validation = fieldValidation(flags);
  const objects = await readManifests(ctx, files, flags.get('recursive') === true);
  const client = dryRun === DryRun.Client ? undefined : await ctx.client();
  const errors: unknown[] = [];
  let count = 0;
  for (const m of objects) {
    let obj = m.object;
    if (flags.get('save-config') === true || getLastApplied(obj) !== undefined) {
      obj = setLastApplied(obj, 'unstructured');
    }
    try {
      if (client !== undefined) {
        obj = (await client.create({ group: m.mapping.group, version: m.mapping.version, resource: m.mapping.resource, namespace: m.mapping.namespaced ? m.namespace : undefined }, obj, {
          fieldManager: typeof flags.get('field-manager') === 'string' ? (flags.get('field-manager') as string) : 'kubectl-create',
          fieldValidation: validation,
          dryRun: dryRun === DryRun.Server ? 'All' : undefined,
        })) as Record<string, unknown>;
      }
      count++;
      await printObject(ctx, flags, obj, 'created', dryRun);
    } catch (e) {
      errors.push(withSource('creating', m.source, e));
    }
  }
  if (errors.length > 0) {
    throw errors.length === 1 ? errors[0] : new ErrorList(errors);
  }
  if (count === 0) {
    throw new CliError('no objects passed to create');
  }
  return 0;
}
