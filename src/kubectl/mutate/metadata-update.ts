/**
 * `kubectl label` and `kubectl annotate`: `key=value` / `key-` changes to one metadata map,
 * the `--overwrite` check, `--list`, `--resource-version`, `--local`, `--dry-run`, sent as a JSON
 * merge patch of just the changed keys (upstream computes a two-way merge patch of the object).
 */
import type { FlagSpec, FlagValues, KubectlContext } from '../command.ts';
import { CliError } from '../command.ts';
import { PatchType } from '../../client/rest.ts';
import { ErrorList } from '../cli/errors.ts';
import { DryRun, dryRunFlag, dryRunStrategy, fieldManagerFlag, printFlags, printObject } from './common.ts';
import { filenameFlags } from './create-files.ts';
import { refOf, resolveTargets } from './targets.ts';

type Obj = Record<string, unknown>;

/** Which map a verb edits and how it words things. */
export interface MetadataVerbSpec {
  readonly verb: 'label' | 'annotate';
  readonly field: 'labels' | 'annotations';
  readonly manager: string;
}

/** Flags shared by label and annotate. */
export function metadataVerbFlags(spec: MetadataVerbSpec): FlagSpec[] {
  const noun = spec.verb === 'label' ? 'labels' : 'annotations';
  return [
    { name: 'overwrite', type: 'bool', default: false, usage: `If true, allow ${noun} to be overwritten, otherwise reject ${spec.verb === 'label' ? 'label' : 'annotation'} updates that overwrite existing ${noun}.` },
    { name: 'list', type: 'bool', default: false, usage: `If true, display the ${noun} for a given resource.` },
    { name: 'local', type: 'bool', default: false, usage: `If true, ${spec.verb} will NOT contact api-server but run locally.` },
    { name: 'selector', short: 'l', type: 'string', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
    { name: 'field-selector', type: 'string', usage: "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type." },
    { name: 'all', type: 'bool', default: false, usage: 'Select all resources, in the namespace of the specified resource types' },
    { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: 'If true, check the specified action in all namespaces.' },
    { name: 'resource-version', type: 'string', usage: `If non-empty, the ${spec.verb === 'label' ? 'labels' : 'annotation'} update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.` },
    ...filenameFlags(`identifying the resource to update the ${spec.verb === 'label' ? 'labels' : 'annotation'}`),
    dryRunFlag,
    fieldManagerFlag(spec.manager),
    ...printFlags,
  ];
}

/** Splits arguments into resource words, `key=value` changes and `key-` removals. */
export function parseChanges(args: readonly string[]): { resources: string[]; set: [string, string][]; remove: string[] } {
  const resources: string[] = [];
  const set: [string, string][] = [];
  const remove: string[] = [];
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) {
      set.push([a.slice(0, eq), a.slice(eq + 1)]);
    } else if (a.endsWith('-') && a.length > 1) {
      remove.push(a.slice(0, -1));
    } else {
      resources.push(a);
    }
  }
  return { resources, set, remove };
}

function stringFlag(flags: FlagValues, name: string): string {
  const v = flags.get(name);
  return typeof v === 'string' ? v : '';
}

/** Runs label or annotate. */
export async function runMetadataVerb(ctx: KubectlContext, spec: MetadataVerbSpec, args: readonly string[], flags: FlagValues): Promise<number> {
  const { resources, set, remove } = parseChanges(args);
  const list = flags.get('list') === true;
  const filesGiven = Array.isArray(flags.get('filename')) && (flags.get('filename') as string[]).length > 0;
  if (resources.length === 0 && !filesGiven) {
    throw new CliError('one or more resources must be specified as <resource> <name> or <resource>/<name>');
  }
  if (set.length === 0 && remove.length === 0 && !list) {
    throw new CliError(spec.verb === 'label' ? 'at least one label update is required' : 'at least one annotation update is required');
  }
  for (const k of remove) {
    if (set.some(([s]) => s === k)) {
      throw new CliError(`can not both modify and remove ${spec.verb === 'label' ? 'a label' : 'an annotation'} in the same command`);
    }
  }
  const dryRun = dryRunStrategy(flags);
  const local = flags.get('local') === true;
  const overwrite = flags.get('overwrite') === true;
  const resourceVersion = stringFlag(flags, 'resource-version');
  const targets = await resolveTargets(ctx, resources, flags, {
    allowSelectorOrAll: true,
    emptyError: 'one or more resources must be specified as <resource> <name> or <resource>/<name>',
    allNamespaces: flags.get('all-namespaces') === true,
  });
  if (resourceVersion !== '' && targets.length > 1) {
    throw new CliError(`--resource-version may only be used with a single resource`);
  }
  const client = local ? undefined : await ctx.client();
  const errors: unknown[] = [];
  for (const t of targets) {
    try {
      const obj = (local ? t.object : t.object !== undefined && t.source === undefined ? t.object : await client?.get(refOf(t))) as Obj | undefined;
      if (obj === undefined) {
        throw new CliError('the object is not available locally');
      }
      const meta = (obj.metadata ?? {}) as Obj;
      const before = { ...((meta[spec.field] ?? {}) as Record<string, string>) };
      if (list) {
        for (const k of Object.keys(before).sort()) {
          ctx.stdout.write(`${k}=${before[k]}\n`);
        }
        continue;
      }
      if (!overwrite) {
        const clashes = set.filter(([k, v]) => before[k] !== undefined && before[k] !== v);
        if (clashes.length > 0) {
          const first = clashes[0] as [string, string];
          throw new CliError(
            spec.verb === 'label'
              ? `'${first[0]}' already has a value (${before[first[0]]}), and --overwrite is false`
              : `--overwrite is false but found the following declared annotation(s): ${clashes.map(([k]) => `'${k}' already has a value (${before[k]})`).join('; ')}`,
          );
        }
      }
      const after = { ...before };
      const patchMap: Record<string, string | null> = {};
      for (const [k, v] of set) {
        if (after[k] !== v) {
          patchMap[k] = v;
        }
        after[k] = v;
      }
      for (const k of remove) {
        if (after[k] === undefined) {
          if (spec.verb === 'label') {
            ctx.stdout.write(`label "${k}" not found.\n`);
          }
          continue;
        }
        delete after[k];
        patchMap[k] = null;
      }
      const metaPatch: Obj = {};
      if (Object.keys(patchMap).length > 0) {
        metaPatch[spec.field] = patchMap;
      }
      if (resourceVersion !== '' && resourceVersion !== meta.resourceVersion) {
        metaPatch.resourceVersion = resourceVersion;
      }
      const newObj: Obj = { ...obj, metadata: { ...meta, [spec.field]: after } };
      let result = newObj;
      if (!local && dryRun !== DryRun.Client && Object.keys(metaPatch).length > 0) {
        result = (await client?.patch(refOf(t), { metadata: metaPatch }, PatchType.Merge, { fieldManager: stringFlag(flags, 'field-manager') || spec.manager, dryRun: dryRun === DryRun.Server ? 'All' : undefined })) as Obj;
      }
      let operation = 'annotated';
      if (spec.verb === 'label') {
        const changed = Object.keys(metaPatch).length > 0;
        operation = !changed ? 'not labeled' : !overwrite && JSON.stringify(after).length < JSON.stringify(before).length ? 'unlabeled' : 'labeled';
      }
      await printObject(ctx, flags, { ...result, apiVersion: obj.apiVersion, kind: obj.kind }, operation, local ? DryRun.None : dryRun);
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) {
    throw errors.length === 1 ? errors[0] : new ErrorList(errors);
  }
  return 0;
}
