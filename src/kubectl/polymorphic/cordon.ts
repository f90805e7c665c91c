/** Marking nodes (un)schedulable, as upstream's drain.CordonHelper and RunCordonOrUncordon. */
import type { RestClient } from '../../client/rest.ts';
import { PatchType } from '../../client/rest.ts';
import type { FlagSpec, FlagValues, KubectlContext } from '../command.ts';
import { stringFlag, usageError } from './flagvalues.ts';
import { dryRunFlag, dryRunQuery, dryRunStrategy, nameLine, nodeName, nodesFor, selectorFlag } from './nodes.ts';
import type { DryRunStrategy, NodeLike } from './nodes.ts';

/** Flags of cordon/uncordon. */
export const cordonFlags: readonly FlagSpec[] = [dryRunFlag, selectorFlag];

/** The nodes a cordon/uncordon/drain invocation names, with upstream's usage errors. */
export async function selectedNodes(ctx: KubectlContext, verbUse: string, verbName: string, args: readonly string[], flags: FlagValues): Promise<NodeLike[]> {
  const selector = stringFlag(flags, 'selector');
  if (args.length === 0 && ctx.changed?.has('selector') !== true) {
    throw usageError(`kubectl ${verbName}`, `USAGE: ${verbUse} [flags]`);
  }
  if (args.length > 0 && selector !== '') {
    throw usageError(`kubectl ${verbName}`, 'error: cannot specify both a node name and a --selector option');
  }
  return nodesFor(await ctx.client(), args.map(nodeName), selector);
}

/** Sets `spec.unschedulable` on each node, printing `node/x cordoned` / `already cordoned` lines (errors go to stderr, as upstream). */
export async function cordonNodes(ctx: KubectlContext, client: RestClient, nodes: readonly NodeLike[], desired: boolean, dryRun: DryRunStrategy): Promise<void> {
  const word = desired ? 'cordon' : 'uncordon';
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    if ((node.spec?.unschedulable ?? false) === desired) {
      ctx.stdout.write(nameLine('node', name, `already ${word}ed`, dryRun));
      continue;
    }
    if (dryRun !== 'client') {
      try {
        await client.patch({ group: '', version: 'v1', resource: 'nodes', name }, { spec: { unschedulable: desired ? true : null } }, PatchType.StrategicMerge, dryRunQuery(dryRun));
      } catch (e) {
        ctx.stderr.write(`error: unable to ${word} node "${name}": ${(e as Error).message}\n`);
        continue;
      }
    }
    ctx.stdout.write(nameLine('node', name, `${word}ed`, dryRun));
  }
}

/** The whole `kubectl cordon|uncordon` command. */
export async function runCordonVerb(ctx: KubectlContext, args: readonly string[], flags: FlagValues, desired: boolean): Promise<number> {
  const verbName = desired ? 'cordon' : 'uncordon';
  const dryRun = dryRunStrategy(flags);
  const nodes = await selectedNodes(ctx, `${verbName} NODE`, verbName, args, flags);
  await cordonNodes(ctx, await ctx.client(), nodes, desired, dryRun);
  return 0;
}
