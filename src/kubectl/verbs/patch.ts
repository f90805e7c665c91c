/** `kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [--type strategic|merge|json]`. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { PatchType } from '../../client/rest.ts';
import { ErrorList } from '../cli/errors.ts';
import { deepEqual } from '../../api/patch/json-values.ts';
import { DryRun, dryRunFlag, dryRunStrategy, fieldManagerFlag, printFlags, printObject } from '../mutate/common.ts';
import { filenameFlags } from '../mutate/create-files.ts';
import { emptyResourcesError as emptyError, refOf, resolveTargets } from '../mutate/targets.ts';

type Obj = Record<string, unknown>;

const patchTypes: Readonly<Record<string, PatchType>> = { json: PatchType.Json, merge: PatchType.Merge, strategic: PatchType.StrategicMerge };


const patch: Verb = {
  use: 'patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]',
  short: 'Update fields of a resource',
  flags: [
    dryRunFlag,
    fieldManagerFlag('kubectl-patch'),
    ...filenameFlags('identifying the resource to update'),
    { name: 'local', type: 'bool', default: false, usage: 'If true, patch will operate on the content of the file, not the server-side resource.' },
    { name: 'patch', short: 'p', type: 'string', usage: 'The patch to be applied to the resource JSON file.' },
    { name: 'patch-file', type: 'string', usage: 'A file containing a patch to be applied to the resource.' },
    { name: 'subresource', type: 'string', usage: 'If specified, patch will operate on the subresource of the requested object. Must be one of [status scale]. This flag is beta and may change in the future.' },
    { name: 'type', type: 'string', default: 'strategic', usage: 'The type of patch being provided; one of [json merge strategic]' },
    ...printFlags,
  ],
  async run(ctx, args, flags) {
    const typeName = typeof flags.get('type') === 'string' ? (flags.get('type') as string) : 'strategic';
    const type = patchTypes[typeName];
    if (type === undefined) {
      throw new CliError(`--type must be one of [json merge strategic], not "${typeName}"`);
    }
    let text = typeof flags.get('patch') === 'string' ? (flags.get('patch') as string) : '';
    const file = typeof flags.get('patch-file') === 'string' ? (flags.get('patch-file') as string) : '';
    if (text !== '' && file !== '') {
      throw new CliError('cannot specify --patch and --patch-file together');
    }
    if (file !== '') {
      text = await readFile(file, 'utf8').catch((e: unknown) => {
        throw new CliError(`unable to read patch file: ${(e as Error).message}`);
      });
    }
    if (text === '') {
      throw new CliError('must specify --patch or --patch-file containing the contents of the patch');
    }
    let body: unknown;
    try {
      // kubectl turns a YAML patch into JSON before sending it
      body = parseYaml(text);
    } catch (e) {
      throw new CliError(`unable to parse "${text}": ${(e as Error).message}`);
    }
    const subresource = typeof flags.get('subresource') === 'string' ? (flags.get('subresource') as string) : '';
    if (subresource !== '' && subresource !== 'status' && subresource !== 'scale') {
      throw new CliError(`invalid subresource value: "${subresource}". Must be one of [status scale]`);
    }
    if (flags.get('local') === true) {
      throw new CliError('--local is not supported by k8ts kubectl');
    }
    const dryRun = dryRunStrategy(flags);
    const targets = await resolveTargets(ctx, args, flags, { allowSelectorOrAll: false, emptyError });
    const client = await ctx.client();
    const manager = typeof flags.get('field-manager') === 'string' ? (flags.get('field-manager') as string) : 'kubectl-patch';
    const errors: unknown[] = [];
    for (const t of targets) {
      try {
        const ref = refOf(t, subresource === '' ? undefined : subresource);
        const before = (await client.get(ref)) as Obj;
        let after = before;
        if (dryRun !== DryRun.Client) {
          after = (await client.patch(ref, body, type, { fieldManager: manager, dryRun: dryRun === DryRun.Server ? 'All' : undefined })) as Obj;
        }
        const operation = dryRun === DryRun.Client || !deepEqual(before, after) ? 'patched' : 'patched (no change)';
        await printObject(ctx, flags, after, operation, dryRun);
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

export default patch;
