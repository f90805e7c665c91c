/**
 * `kubectl delete`: by name, TYPE/NAME, -f, -l, --all (-A); cascade, grace period, --now,
 * --force (with upstream's warning), --ignore-not-found, --dry-run, and by default waits until
 * each deleted object (that uid) is gone.
 */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import type { DeleteOptions } from '../../client/rest.ts';
import { ErrorList } from '../cli/errors.ts';
import { cascadeFlag, cascadeStrategy, DryRun, dryRunFlag, dryRunStrategy, gracePeriodFlag } from '../mutate/common.ts';
import { filenameFlags, withSource } from '../mutate/create-files.ts';
import { emptyResourcesError as emptyError, kindName, refOf, resolveTargets } from '../mutate/targets.ts';
import type { Target } from '../mutate/targets.ts';


function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the object with `uid` no longer exists (or `timeoutMs` passes, if > 0). */
async function waitGone(ctx: KubectlContext, t: Target, uid: string | undefined, timeoutMs: number): Promise<void> {
  const client = await ctx.client();
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  for (;;) {
    try {
      const live = (await client.get(refOf(t))) as { metadata?: { uid?: string } };
      if (uid !== undefined && live.metadata?.uid !== uid) {
        return;
      }
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) {
        return;
      }
      throw e;
    }
    if (Date.now() > deadline) {
      throw new CliError(`timed out waiting for the condition on ${t.mapping.group === '' ? t.mapping.resource : `${t.mapping.resource}.${t.mapping.group}`}/${t.name}`);
    }
    await sleep(250);
  }
}

const del: Verb = {
  use: "delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)])",
  short: 'Delete resources by file names, stdin, resources and names, or by resources and label selector',
  flags: [
    { name: 'all', type: 'bool', default: false, usage: 'Delete all resources, in the namespace of the specified resource types.' },
    { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.' },
    cascadeFlag,
    dryRunFlag,
    { name: 'field-selector', type: 'string', usage: "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type." },
    ...filenameFlags('containing the resource to delete.'),
    { name: 'force', type: 'bool', default: false, usage: 'If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.' },
    gracePeriodFlag,
    { name: 'ignore-not-found', type: 'bool', default: false, usage: 'Treat "resource not found" as a successful delete. Defaults to "true" when --all is specified.' },
    { name: 'interactive', short: 'i', type: 'bool', default: false, usage: 'If true, delete resource only when user confirms.' },
    { name: 'now', type: 'bool', default: false, usage: 'If true, resources are signaled for immediate shutdown (same as --grace-period=1).' },
    { name: 'output', short: 'o', type: 'string', usage: 'Output mode. Use "-o name" for shorter output (resource/name).' },
    { name: 'raw', type: 'string', usage: 'Raw URI to DELETE to the server.  Uses the transport specified by the kubeconfig file.' },
    { name: 'selector', short: 'l', type: 'string', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
    { name: 'timeout', type: 'duration', default: 0, usage: 'The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object' },
    { name: 'wait', type: 'bool', default: true, usage: 'If true, wait for resources to be gone before returning. This waits for finalizers.' },
  ],
  async run(ctx, args, flags) {
    const output = typeof flags.get('output') === 'string' ? (flags.get('output') as string) : '';
    if (output !== '' && output !== 'name') {
      throw new CliError(`unexpected -o output mode: ${output}. We only support '-o name'`);
    }
    const all = flags.get('all') === true;
    const allNamespaces = flags.get('all-namespaces') === true;
    if (allNamespaces && args.length > 1 && !args.some((a) => a.includes('/'))) {
      throw new CliError('a resource cannot be retrieved by name across all namespaces');
    }
    const dryRun = dryRunStrategy(flags);
    const force = flags.get('force') === true;
    let grace = typeof flags.get('grace-period') === 'number' ? (flags.get('grace-period') as number) : -1;
    if (flags.get('now') === true) {
      if (grace !== -1) {
        throw new CliError('--now and --grace-period cannot be specified together');
      }
      grace = 1;
    }
    if (force && grace < 0) {
      grace = 0;
    }
    if (grace === 0 && !force) {
      // upstream: zero means "immediately" only with --force; otherwise the shortest real grace period
      grace = 1;
    }
    if (force && grace === 0) {
      ctx.stderr.write('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
    }
    const propagation = cascadeStrategy(flags);
    const ignoreNotFound = flags.get('ignore-not-found') === true || (all && !ctx.changed?.has('ignore-not-found'));
    const targets = await resolveTargets(ctx, args, flags, { allowSelectorOrAll: true, emptyError, allNamespaces });
    if (targets.length === 0) {
      ctx.stdout.write('No resources found\n');
      return 0;
    }
    const client = await ctx.client();
    const errors: unknown[] = [];
    const deleted: { target: Target; uid: string | undefined }[] = [];
    for (const t of targets) {
      const options: DeleteOptions = { propagationPolicy: propagation, gracePeriodSeconds: grace >= 0 ? grace : undefined, dryRun: dryRun === DryRun.Server ? ['All'] : undefined };
      try {
        let uid: string | undefined;
        if (dryRun === DryRun.Client) {
          await client.get(refOf(t));
        } else {
          const answer = (await client.delete(refOf(t), options)) as { kind?: string; metadata?: { uid?: string }; details?: { uid?: string } };
          uid = answer.kind === 'Status' ? answer.details?.uid : answer.metadata?.uid;
        }
        deleted.push({ target: t, uid });
        if (output === 'name') {
          ctx.stdout.write(`${kindName(t)}\n`);
        } else {
          const k = t.mapping.kind.toLowerCase();
          const what = `${t.mapping.group === '' ? k : `${k}.${t.mapping.group}`} "${t.name}"`;
          const where = t.mapping.namespaced ? ` from ${t.namespace} namespace` : '';
          const suffix = dryRun === DryRun.Client ? ' (dry run)' : dryRun === DryRun.Server ? ' (server dry run)' : '';
          ctx.stdout.write(`${what} ${force && grace === 0 ? 'force deleted' : 'deleted'}${where}${suffix}\n`);
        }
      } catch (e) {
        if (e instanceof StatusError && e.code === 404 && ignoreNotFound) {
          continue;
        }
        errors.push(t.source !== undefined ? withSource('deleting', t.source, e) : e);
      }
    }
    if (flags.get('wait') !== false && dryRun === DryRun.None) {
      const timeout = typeof flags.get('timeout') === 'number' ? (flags.get('timeout') as number) : 0;
      for (const d of deleted) {
        try {
          await waitGone(ctx, d.target, d.uid, timeout);
        } catch (e) {
          errors.push(e);
        }
      }
    }
    if (errors.length > 0) {
      throw errors.length === 1 ? errors[0] : new ErrorList(errors);
    }
    return 0;
  },
};

export default del;
