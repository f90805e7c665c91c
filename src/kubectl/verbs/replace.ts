/** `kubectl replace -f FILENAME`: PUT each object (or delete and re-create it with --force). */
import type { Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import { ErrorList } from '../cli/errors.ts';
import { DryRun, dryRunFlag, dryRunStrategy, fieldManagerFlag, fieldValidation, printFlags, printObject, saveConfigFlag, validateFlag } from '../mutate/common.ts';
import { filenameFlags, filenames, withSource } from '../mutate/create-files.ts';
import { getLastApplied, setLastApplied } from '../mutate/lastapplied.ts';
import { readManifests } from '../mutate/manifests.ts';

type Obj = Record<string, unknown>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const replace: Verb = {
  use: 'replace -f FILENAME',
  short: 'Replace a resource by file name or stdin',
  flags: [
    ...filenameFlags('to use to replace the resource.'),
    { name: 'force', type: 'bool', default: false, usage: 'If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.' },
    { name: 'cascade', type: 'string', default: 'background', noOptDefault: 'background', usage: 'Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.' },
    { name: 'grace-period', type: 'int', default: -1, usage: 'Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).' },
    { name: 'wait', type: 'bool', default: false, usage: 'If true, wait for resources to be gone before returning. This waits for finalizers.' },
    { name: 'subresource', type: 'string', usage: 'If specified, replace will operate on the subresource of the requested object. Must be one of [status scale]. This flag is beta and may change in the future.' },
    { name: 'raw', type: 'string', usage: 'Raw URI to PUT to the server.  Uses the transport specified by the kubeconfig file.' },
    dryRunFlag,
    saveConfigFlag,
    validateFlag,
    fieldManagerFlag('kubectl-replace'),
    ...printFlags,
  ],
  async run(ctx, args, flags) {
    const files = filenames(flags);
    if (files.length === 0) {
      throw new CliError('must specify one of -f and -k');
    }
    if (args.length > 0) {
      throw new CliError(`Unexpected args: [${args.join(' ')}]\nSee 'kubectl replace -h' for help and examples`);
    }
    const dryRun = dryRunStrategy(flags);
    const validation = fieldValidation(flags);
    const force = flags.get('force') === true;
    const manager = typeof flags.get('field-manager') === 'string' ? (flags.get('field-manager') as string) : 'kubectl-replace';
    const objects = await readManifests(ctx, files, flags.get('recursive') === true);
    const client = await ctx.client();
    const errors: unknown[] = [];
    for (const m of objects) {
      const ref = { group: m.mapping.group, version: m.mapping.version, resource: m.mapping.resource, namespace: m.mapping.namespaced ? m.namespace : undefined, name: m.name };
      try {
        let obj = m.object;
        // upstream's CreateOrUpdateAnnotation: --save-config writes it; an annotation the file already carries is refreshed
        if (flags.get('save-config') === true || getLastApplied(obj) !== undefined) {
          obj = setLastApplied(obj, 'unstructured');
        }
        const query = { fieldManager: manager, fieldValidation: validation, dryRun: dryRun === DryRun.Server ? 'All' : undefined };
        if (force) {
          if (dryRun === DryRun.None) {
            const k = m.mapping.kind.toLowerCase();
            try {
              await client.delete(ref, { propagationPolicy: 'Background' });
              ctx.stdout.write(`${m.mapping.group === '' ? k : `${k}.${m.mapping.group}`} "${m.name}" deleted\n`);
            } catch (e) {
              if (!(e instanceof StatusError && e.code === 404)) {
                throw e;
              }
            }
            // wait for the old object to be gone before creating the new one
            for (;;) {
              try {
                await client.get(ref);
              } catch (e) {
                if (e instanceof StatusError && e.code === 404) {
                  break;
                }
                throw e;
              }
              await sleep(250);
            }
            const { resourceVersion: _rv, ...meta } = (obj.metadata ?? {}) as Obj;
            obj = (await client.create({ ...ref, name: undefined }, { ...obj, metadata: meta }, query)) as Obj;
          }
        } else if (dryRun !== DryRun.Client) {
          obj = (await client.update(ref, obj, query)) as Obj;
        }
        await printObject(ctx, flags, obj, 'replaced', dryRun);
      } catch (e) {
        errors.push(withSource('replacing', m.source, e));
      }
    }
    if (errors.length > 0) {
      throw errors.length === 1 ? errors[0] : new ErrorList(errors);
    }
    return 0;
  },
};

export default replace;
