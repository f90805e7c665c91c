/** `kubectl scale --replicas=N`: PATCH of the scale subresource, or GET + PUT when preconditions are given. */
import type { Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { PatchType } from '../../client/rest.ts';
import { ErrorList } from '../cli/errors.ts';
import { DryRun, dryRunFlag, dryRunStrategy, printFlags, printObject } from '../mutate/common.ts';
import { filenameFlags } from '../mutate/create-files.ts';
import { checkRequired } from '../mutate/generated.ts';
import { emptyResourcesError as emptyError, refOf, resolveTargets } from '../mutate/targets.ts';

type Obj = Record<string, unknown>;


const scale: Verb = {
  use: 'scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)',
  short: 'Set a new size for a deployment, replica set, or replication controller',
  flags: [
    { name: 'all', type: 'bool', default: false, usage: 'Select all resources in the namespace of the specified resource types' },
    { name: 'current-replicas', type: 'int', default: -1, usage: 'Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.' },
    dryRunFlag,
    ...filenameFlags('identifying the resource to set a new size'),
    { name: 'replicas', type: 'int', default: 0, usage: 'The new desired number of replicas. Required.' },
    { name: 'resource-version', type: 'string', usage: 'Precondition for resource version. Requires that the current resource version match this value in order to scale.' },
    { name: 'selector', short: 'l', type: 'string', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
    { name: 'timeout', type: 'duration', default: 0, usage: 'The length of time to wait before giving up on a scale operation, zero means don\'t wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).' },
    ...printFlags,
  ],
  async run(ctx, args, flags) {
    checkRequired(ctx, ['replicas']);
    const replicas = typeof flags.get('replicas') === 'number' ? (flags.get('replicas') as number) : 0;
    if (replicas < 0) {
      throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
    }
    const current = typeof flags.get('current-replicas') === 'number' ? (flags.get('current-replicas') as number) : -1;
    const resourceVersion = typeof flags.get('resource-version') === 'string' ? (flags.get('resource-version') as string) : '';
    const dryRun = dryRunStrategy(flags);
    const targets = await resolveTargets(ctx, args, flags, { allowSelectorOrAll: true, emptyError });
    if (targets.length === 0) {
      throw new CliError('no objects passed to scale');
    }
    if (resourceVersion !== '' && targets.length > 1) {
      throw new CliError('cannot use --resource-version with multiple resources');
    }
    const client = await ctx.client();
    const errors: unknown[] = [];
    for (const t of targets) {
      try {
        const obj = (await client.get(refOf(t))) as Obj;
        if (dryRun !== DryRun.Client) {
          const dry = dryRun === DryRun.Server ? 'All' : undefined;
          if (current >= 0 || resourceVersion !== '') {
            const s = (await client.get(refOf(t, 'scale'))) as Obj;
            const spec = (s.spec ?? {}) as Obj;
            const meta = (s.metadata ?? {}) as Obj;
            if (current >= 0 && (spec.replicas ?? 0) !== current) {
              throw new CliError(`Expected replicas to be ${current}, was ${String(spec.replicas ?? 0)}`);
            }
            if (resourceVersion !== '' && meta.resourceVersion !== resourceVersion) {
              throw new CliError(`Expected resource version to be ${resourceVersion}, was ${String(meta.resourceVersion)}`);
            }
            await client.update(refOf(t, 'scale'), { ...s, spec: { ...spec, replicas } }, { dryRun: dry });
          } else {
            await client.patch(refOf(t, 'scale'), { spec: { replicas } }, PatchType.Merge, { dryRun: dry });
          }
        }
        await printObject(ctx, flags, obj, 'scaled', dryRun);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) {
      throw errors.length === 1 ? errors[0] : new ErrorList(errors);
    }
    return 0;
  },
};

export default scale;
