/**
 * `kubectl set image|env|resources`: edits the pod template of workloads (or a pod) and sends
 * the difference as a strategic merge patch (`$setElementOrder` included, as upstream).
 */
import type { FlagSpec, FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { PatchType } from '../../client/rest.ts';
import { threeWayStrategicMergePatch } from '../apply/threeway.ts';
import { ErrorList } from '../cli/errors.ts';
import { runSubverbs } from '../cli/subverbs.ts';
import type { SubverbTable } from '../cli/subverbs.ts';
import { DryRun, dryRunFlag, dryRunStrategy, fieldManagerFlag, printFlags, printObject } from '../mutate/common.ts';
import { filenameFlags, filenames } from '../mutate/create-files.ts';
import { emptyResourcesError as emptyError, refOf, resolveTargets } from '../mutate/targets.ts';

type Obj = Record<string, unknown>;


/** The pod spec inside an object (pod, workload template, cronjob's job template), created on demand. */
function podSpecOf(o: Obj): Obj | undefined {
  const spec = o.spec as Obj | undefined;
  if (spec === undefined) {
    return undefined;
  }
  if (o.kind === 'Pod') {
    return spec;
  }
  const holder = o.kind === 'CronJob' ? ((spec.jobTemplate as Obj | undefined)?.spec as Obj | undefined) : spec;
  return (holder?.template as Obj | undefined)?.spec as Obj | undefined;
}

function containersOf(podSpec: Obj, includeInit: boolean): Obj[] {
  const lists = includeInit ? ['initContainers', 'containers'] : ['containers'];
  return lists.flatMap((l) => (Array.isArray(podSpec[l]) ? (podSpec[l] as Obj[]) : []));
}

function matches(pattern: string, name: string): boolean {
  if (pattern === '*') {
    return true;
  }
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
  return re.test(name);
}

const commonFlags: FlagSpec[] = [
  { name: 'all', type: 'bool', default: false, usage: 'Select all resources, in the namespace of the specified resource types' },
  { name: 'selector', short: 'l', type: 'string', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
  { name: 'local', type: 'bool', default: false, usage: 'If true, set will NOT contact api-server but run locally.' },
  dryRunFlag,
  fieldManagerFlag('kubectl-set'),
  ...printFlags,
];

/** Runs one set sub-command: `edit` changes the object in place (throws for bad input). */
async function runSet(ctx: KubectlContext, resourceArgs: readonly string[], flags: FlagValues, operation: string, edit: (o: Obj) => void): Promise<number> {
  const dryRun = dryRunStrategy(flags);
  const targets = await resolveTargets(ctx, resourceArgs, flags, { allowSelectorOrAll: true, emptyError });
  const client = await ctx.client();
  const errors: unknown[] = [];
  for (const t of targets) {
    try {
      const current = (t.object !== undefined && t.source === undefined ? t.object : await client.get(refOf(t))) as Obj;
      const modified = structuredClone(current);
      edit(modified);
      const apiVersion = String(current.apiVersion ?? '');
      const slash = apiVersion.indexOf('/');
      const gvk = { group: slash < 0 ? '' : apiVersion.slice(0, slash), version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1), kind: String(current.kind ?? '') };
      const patch = threeWayStrategicMergePatch(gvk, current, modified, current);
      let result = modified;
      if (dryRun !== DryRun.Client && flags.get('local') !== true && Object.keys(patch).length > 0) {
        result = (await client.patch(refOf(t), patch, PatchType.StrategicMerge, { fieldManager: typeof flags.get('field-manager') === 'string' ? (flags.get('field-manager') as string) : 'kubectl-set', dryRun: dryRun === DryRun.Server ? 'All' : undefined })) as Obj;
      }
      await printObject(ctx, flags, { ...result, apiVersion: current.apiVersion, kind: current.kind }, operation, dryRun);
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) {
    throw errors.length === 1 ? errors[0] : new ErrorList(errors);
  }
  return 0;
}

const setImage: Verb = {
  use: 'image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N',
  short: 'Update the image of a pod template',
  flags: [...filenameFlags('identifying the resource to get from a server.'), ...commonFlags],
  run(ctx, args, flags) {
    const pairs = args.filter((a) => a.includes('='));
    const resources = args.filter((a) => !a.includes('='));
    if (resources.length === 0 && filenames(flags).length === 0) {
      throw new CliError(emptyError);
    }
    if (pairs.length === 0) {
      throw new CliError('at least one image update is required');
    }
    return runSet(ctx, resources, flags, 'image updated', (o) => {
      const podSpec = podSpecOf(o);
      if (podSpec === undefined) {
        throw new CliError(`error: ${String(o.kind)}/${String((o.metadata as Obj | undefined)?.name)} has no pod template`);
      }
      for (const p of pairs) {
        const eq = p.indexOf('=');
        const name = p.slice(0, eq);
        const image = p.slice(eq + 1);
        const hits = containersOf(podSpec, true).filter((c) => name === '*' || c.name === name);
        if (hits.length === 0) {
          throw new CliError(`unable to find container named "${name}"`);
        }
        for (const c of hits) {
          c.image = image;
        }
      }
    });
  },
};

const setEnv: Verb = {
  use: 'env RESOURCE/NAME KEY_1=VAL_1 ... KEY_N=VAL_N',
  short: 'Update environment variables on a pod template',
  flags: [
    ...filenameFlags('the resource to update the env'),
    { name: 'containers', short: 'c', type: 'string', default: '*', usage: 'The names of containers in the selected pod templates to change - may use wildcards' },
    { name: 'env', short: 'e', type: 'stringArray', usage: 'Specify a key-value pair for an environment variable to set into each container.' },
    { name: 'overwrite', type: 'bool', default: true, usage: 'If true, allow environment to be overwritten, otherwise reject updates that overwrite existing environment.' },
    ...commonFlags,
  ],
  run(ctx, args, flags) {
    const extra = Array.isArray(flags.get('env')) ? (flags.get('env') as string[]) : [];
    const changes = [...args.filter((a) => a.includes('=') || (a.endsWith('-') && !a.includes('/'))), ...extra];
    const resources = args.filter((a) => !changes.includes(a));
    if (changes.length === 0) {
      // upstream resolves the objects and finds nothing to change: no output, success
      return resolveTargets(ctx, resources, flags, { allowSelectorOrAll: true, emptyError }).then(() => 0);
    }
    const pattern = typeof flags.get('containers') === 'string' ? (flags.get('containers') as string) : '*';
    return runSet(ctx, resources, flags, 'env updated', (o) => {
      const podSpec = podSpecOf(o);
      if (podSpec === undefined) {
        return;
      }
      const hits = containersOf(podSpec, true).filter((c) => matches(pattern, String(c.name)));
      if (hits.length === 0) {
        throw new CliError(`unable to find container named ${pattern}`);
      }
      for (const c of hits) {
        let env = Array.isArray(c.env) ? [...(c.env as Obj[])] : [];
        for (const ch of changes) {
          const eq = ch.indexOf('=');
          if (eq < 0) {
            const name = ch.slice(0, -1);
            env = env.filter((e) => e.name !== name);
            continue;
          }
          const name = ch.slice(0, eq);
          const value = ch.slice(eq + 1);
          const at = env.findIndex((e) => e.name === name);
          if (at >= 0) {
            env[at] = { name, value };
          } else {
            env.push({ name, value });
          }
        }
        if (env.length > 0) {
          c.env = env;
        } else {
          delete c.env;
        }
      }
    });
  },
};

function parseResourceList(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',').filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new CliError(`invalid resource requirement: ${part}`);
    }
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

const setResources: Verb = {
  use: 'resources (-f FILENAME | TYPE NAME)  ([--limits=LIMITS & --requests=REQUESTS]',
  short: 'Update resource requests/limits on objects with pod templates',
  flags: [
    ...filenameFlags('identifying the resource to get from a server.'),
    { name: 'containers', short: 'c', type: 'string', default: '*', usage: 'The names of containers in the selected pod templates to change, all containers are selected by default - may use wildcards' },
    { name: 'limits', type: 'string', usage: "The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges." },
    { name: 'requests', type: 'string', usage: "The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges." },
    ...commonFlags,
  ],
  run(ctx, args, flags) {
    const limits = parseResourceList(typeof flags.get('limits') === 'string' ? (flags.get('limits') as string) : '');
    const requests = parseResourceList(typeof flags.get('requests') === 'string' ? (flags.get('requests') as string) : '');
    if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) {
      throw new CliError('you must specify an update to requests or limits (in the form of --requests/--limits)');
    }
    const pattern = typeof flags.get('containers') === 'string' ? (flags.get('containers') as string) : '*';
    return runSet(ctx, args, flags, 'resource requirements updated', (o) => {
      const podSpec = podSpecOf(o);
      if (podSpec === undefined) {
        return;
      }
      const hits = containersOf(podSpec, true).filter((c) => matches(pattern, String(c.name)));
      if (hits.length === 0) {
        throw new CliError(`unable to find container named ${pattern}`);
      }
      for (const c of hits) {
        const res = { ...((c.resources ?? {}) as Obj) };
        if (Object.keys(limits).length > 0) {
          res.limits = { ...((res.limits ?? {}) as Obj), ...limits };
        }
        if (Object.keys(requests).length > 0) {
          res.requests = { ...((res.requests ?? {}) as Obj), ...requests };
        }
        c.resources = res;
      }
    });
  },
};

const table: SubverbTable = {
  image: { short: setImage.short, load: () => Promise.resolve(setImage) },
  env: { short: setEnv.short, load: () => Promise.resolve(setEnv) },
  resources: { short: setResources.short, load: () => Promise.resolve(setResources) },
};

const setLong = `Configure application resources.

 These commands help you make changes to existing application resources.`;

const set: Verb = {
  use: 'set SUBCOMMAND',
  short: 'Set specific features on objects',
  long: setLong,
  flags: [],
  passThroughArgs: true,
  run: (ctx, args, globals) => runSubverbs(ctx, 'set', { short: 'Set specific features on objects', long: setLong }, table, args, globals),
};

export default set;
