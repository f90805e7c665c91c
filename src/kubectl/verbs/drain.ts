/** `kubectl drain NODE`: cordons the node, then evicts (or deletes) its pods as upstream's drain command. */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { RawMessageError } from '../cli/errors.ts';
import { cordonNodes, selectedNodes } from '../polymorphic/cordon.ts';
import { deleteErrors, deleteOrEvictPods, deleteWarnings, podsForDeletion, podsToDelete } from '../polymorphic/drain.ts';
import type { DrainOptions } from '../polymorphic/drain.ts';
import { boolFlag, numberFlag, stringFlag } from '../polymorphic/flagvalues.ts';
import { parseLabelSelector } from '../../api/selectors/index.ts';
import { CliError } from '../command.ts';
import { dryRunFlag, dryRunStrategy, nameLine, selectorFlag } from '../polymorphic/nodes.ts';

function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
}

const verb: Verb = {
  use: 'drain NODE',
  short: 'Drain node in preparation for maintenance',
  flags: [
    { name: 'force', type: 'bool', default: false, usage: 'Continue even if there are pods that do not declare a controller.' },
    { name: 'ignore-daemonsets', type: 'bool', default: false, usage: 'Ignore DaemonSet-managed pods.' },
    { name: 'delete-emptydir-data', type: 'bool', default: false, usage: 'Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained).' },
    { name: 'grace-period', type: 'int', default: -1, usage: 'Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.' },
    { name: 'timeout', type: 'duration', default: 0, usage: 'The length of time to wait before giving up, zero means infinite' },
    { name: 'pod-selector', type: 'string', default: '', usage: 'Label selector to filter pods on the node' },
    { name: 'disable-eviction', type: 'bool', default: false, usage: 'Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution.' },
    { name: 'skip-wait-for-delete-timeout', type: 'int', default: 0, usage: 'If pod DeletionTimestamp older than N seconds, skip waiting for the pod.  Seconds must be greater than 0 to skip.' },
    { name: 'chunk-size', type: 'int', default: 500, usage: 'Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.' },
    dryRunFlag,
    selectorFlag,
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    const dryRun = dryRunStrategy(flags);
    const podSelector = stringFlag(flags, 'pod-selector');
    if (podSelector !== '') {
      try {
        parseLabelSelector(podSelector);
      } catch {
        throw new CliError('--pod-selector=<pod_selector> must be a valid label selector');
      }
    }
    const nodes = await selectedNodes(ctx, 'drain NODE', 'drain', args, flags);
    const client = await ctx.client();
    const opts: DrainOptions = {
      force: boolFlag(flags, 'force'),
      ignoreDaemonSets: boolFlag(flags, 'ignore-daemonsets'),
      deleteEmptyDirData: boolFlag(flags, 'delete-emptydir-data') || boolFlag(flags, 'delete-local-data'),
      gracePeriodSeconds: numberFlag(flags, 'grace-period', -1),
      timeoutMs: numberFlag(flags, 'timeout', 0),
      podSelector,
      disableEviction: boolFlag(flags, 'disable-eviction'),
      skipWaitForDeleteTimeoutSeconds: numberFlag(flags, 'skip-wait-for-delete-timeout', 0),
      chunkSize: numberFlag(flags, 'chunk-size', 500),
      dryRun,
      evictRetryDelayMs: 5000,
    };
    await cordonNodes(ctx, client, nodes, true, dryRun);
    const out = { out: (s: string): void => void ctx.stdout.write(s), err: (s: string): void => void ctx.stderr.write(s) };
    const fatal: string[] = [];
    const remaining: string[] = [];
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      let errors: string[];
      const list = await podsForDeletion(client, name, opts);
      errors = deleteErrors(list);
      if (errors.length === 0) {
        const warnings = deleteWarnings(list);
        if (warnings !== '') {
          ctx.stderr.write(`Warning: ${warnings}\n`);
        }
        if (dryRun === 'client') {
          for (const pod of podsToDelete(list)) {
            ctx.stdout.write(`evicting pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} (dry run)\n`);
          }
        } else {
          errors = await deleteOrEvictPods(client, podsToDelete(list), opts, out);
          if (errors.length > 0) {
            const pending = podsToDelete(await podsForDeletion(client, name, opts));
            if (pending.length > 0) {
              ctx.stderr.write(`There are pending pods in node "${name}" when an error occurred: ${aggregate(errors)}\n`);
              for (const p of pending) {
                ctx.stderr.write(`pod/${p.metadata.name ?? ''}\n`);
              }
            }
          }
        }
      }
      if (errors.length === 0) {
        ctx.stdout.write(nameLine('node', name, 'drained', dryRun));
      } else {
        ctx.stderr.write(`error: unable to drain node "${name}" due to error: ${aggregate(errors)}, continuing command...\n`);
        fatal.push(aggregate(errors));
        remaining.push(name);
      }
    }
    if (remaining.length > 0) {
      ctx.stderr.write(`There are pending nodes to be drained:\n${remaining.map((n) => ` ${n}\n`).join('')}`);
      // Upstream returns an aggregate, which CheckErr prints one per line without the `error: ` prefix.
      throw new RawMessageError(fatal.join('\n'));
    }
    return 0;
  },
};

export default verb;
