/** `kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N`: adds, removes or overwrites node taints. */
import { PatchType } from '../../client/rest.ts';
import { CliError } from '../command.ts';
import { RawMessageError } from '../cli/errors.ts';
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { boolFlag, stringFlag, usageError } from '../polymorphic/flagvalues.ts';
import { dryRunFlag, dryRunQuery, dryRunStrategy, nameLine, selectorFlag } from '../polymorphic/nodes.ts';
import type { NodeLike } from '../polymorphic/nodes.ts';
import { conflictingTaints, existingTaintKeys, parseTaints, reorganizeTaints } from '../polymorphic/taints.ts';

function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
}

const verb: Verb = {
  use: 'taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N',
  short: 'Update the taints on one or more nodes',
  flags: [
    { name: 'all', type: 'bool', default: false, usage: 'Select all nodes in the cluster' },
    dryRunFlag,
    { name: 'field-manager', type: 'string', default: 'kubectl-taint', usage: 'Name of the manager used to track field ownership.' },
    { name: 'overwrite', type: 'bool', default: false, usage: 'If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints.' },
    selectorFlag,
    { name: 'validate', type: 'string', default: 'strict', noOptDefault: 'strict', usage: "Must be one of: strict (or true), warn, ignore (or false). \"true\" or \"strict\" will use a schema to validate the input and fail the request if invalid. It will perform server side validation if ServerSideFieldValidation is enabled on the api-server, but will fall back to less reliable client-side validation if not. \"warn\" will warn about unknown or duplicate fields without blocking the request if server-side field validation is enabled on the API server, and behave as \"ignore\" otherwise. \"false\" or \"ignore\" will not perform any schema validation, silently dropping any unknown or duplicate fields." },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    const dryRun = dryRunStrategy(flags);
    const resources: string[] = [];
    const taintArgs: string[] = [];
    let metTaint = false;
    for (const s of args) {
      const isTaint = s.includes('=') || s.includes(':') || s.endsWith('-');
      if (isTaint) {
        metTaint = true;
        taintArgs.push(s);
      } else if (!metTaint) {
        resources.push(s);
      } else {
        throw new CliError(`all resources must be specified before taint changes: ${s}`);
      }
    }
    if (resources.length < 1) {
      throw new CliError('one or more resources must be specified as <resource> <name>');
    }
    if (taintArgs.length < 1) {
      throw new CliError('at least one taint update is required');
    }
    let parsed;
    try {
      parsed = parseTaints(taintArgs);
    } catch (e) {
      throw usageError('kubectl taint', (e as Error).message);
    }
    const resourceType = (resources[0] ?? '').toLowerCase();
    let mapping;
    try {
      mapping = await (await ctx.discovery()).resolve(resourceType);
    } catch (e) {
      // Upstream resolves the type through explain's parser, whose NoResourceMatch error prints without `error: `.
      throw e instanceof CliError ? new RawMessageError(e.message) : e;
    }
    if (mapping.kind !== 'Node') {
      throw new CliError(`invalid resource type ${resourceType}, only node types are supported`);
    }
    const conflicts = conflictingTaints(parsed.add, parsed.remove);
    if (conflicts.length > 0) {
      throw new CliError(`can not both modify and remove the following taint(s) in the same command: ${conflicts.join(', ')}`);
    }
    const all = boolFlag(flags, 'all');
    const selector = stringFlag(flags, 'selector');
    if (all && selector !== '') {
      throw new CliError("setting 'all' parameter with a non empty selector is prohibited");
    }
    if (!all && selector === '' && resources.length < 2) {
      throw new CliError("at least one resource name must be specified since 'all' parameter is not set");
    }
    const client = await ctx.client();
    const ref = { group: '', version: 'v1', resource: 'nodes' } as const;
    let nodes: NodeLike[];
    if (all || selector !== '') {
      nodes = [...(await client.list<NodeLike>(ref, selector === '' ? undefined : { labelSelector: selector })).items];
    } else {
      nodes = [];
      for (const name of resources.slice(1)) {
        nodes.push(await client.get<NodeLike>({ ...ref, name }));
      }
    }
    const overwrite = boolFlag(flags, 'overwrite');
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      const old = node.spec?.taints ?? [];
      if (!overwrite) {
        const exists = existingTaintKeys(old, parsed.add);
        if (exists !== '') {
          throw new CliError(`node ${name} already has ${exists} taint(s) with same effect(s) and --overwrite is false`);
        }
      }
      const { taints, operation, errors } = reorganizeTaints(old, overwrite, parsed.add, parsed.remove);
      if (errors.length > 0) {
        throw new CliError(aggregate(errors));
      }
      if (dryRun !== 'client') {
        await client.patch({ ...ref, name }, { spec: { taints: taints.length === 0 ? null : taints } }, PatchType.StrategicMerge, {
          ...dryRunQuery(dryRun),
          fieldManager: stringFlag(flags, 'field-manager'),
        });
      }
      ctx.stdout.write(nameLine('node', name, operation, dryRun));
    }
    return 0;
  },
};

export default verb;
