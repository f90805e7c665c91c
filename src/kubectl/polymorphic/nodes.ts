/**
 * What cordon, uncordon, drain and taint share: resolving `NODE...` / `-l` to Node objects,
 * the `--dry-run` strategy, and the name printer's `node/x cordoned (dry run)` lines.
 */
import type { RestClient } from '../../client/rest.ts';
import type { KubeObject } from '../../api/object.ts';
import { CliError } from '../command.ts';
import type { FlagSpec, FlagValues } from '../command.ts';
import { stringFlag } from './flagvalues.ts';

/** The parts of a Node these verbs read. */
export interface NodeLike extends KubeObject {
  readonly spec?: {
    readonly unschedulable?: boolean;
    readonly taints?: readonly Taint[];
  };
}

/** A node taint. */
export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
  readonly timeAdded?: string;
}

/** `none`, `client` or `server`. */
export type DryRunStrategy = 'none' | 'client' | 'server';

/** The `--dry-run` flag as upstream's AddDryRunFlag declares it. */
export const dryRunFlag: FlagSpec = {
  name: 'dry-run',
  type: 'string',
  default: 'none',
  noOptDefault: 'unchanged',
  usage: 'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.',
};

/** The `-l/--selector` flag. */
export const selectorFlag: FlagSpec = {
  name: 'selector',
  short: 'l',
  type: 'string',
  default: '',
  usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.",
};

/** Parses `--dry-run` like upstream's GetDryRunStrategy. */
export function dryRunStrategy(flags: FlagValues): DryRunStrategy {
  const v = stringFlag(flags, 'dry-run');
  switch (v) {
    case '':
    case 'none':
      return 'none';
    case 'client':
      return 'client';
    case 'server':
      return 'server';
    case 'unchanged':
      throw new CliError('--dry-run flag without a value was specified. A value must be set: "none", "server", or "client".');
    default:
      throw new CliError(`Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
  }
}

/** The name printer's line: `node/x cordoned`, with ` (dry run)` / ` (server dry run)` as upstream. */
export function nameLine(resource: string, name: string, operation: string, dryRun: DryRunStrategy): string {
  const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
  return `${resource}/${name} ${operation}${suffix}\n`;
}

/** The `dryRun=All` query for server dry runs. */
export function dryRunQuery(dryRun: DryRunStrategy): { dryRun?: string } {
  return dryRun === 'server' ? { dryRun: 'All' } : {};
}

const nodesRef = { group: '', version: 'v1', resource: 'nodes' } as const;

/** The nodes named in `names` (in order; NotFound from the server), or all matching `selector`. */
export async function nodesFor(client: RestClient, names: readonly string[], selector: string): Promise<NodeLike[]> {
  if (selector !== '') {
    const list = await client.list<NodeLike>(nodesRef, { labelSelector: selector });
    return [...list.items];
  }
  const out: NodeLike[] = [];
  for (const n of names) {
    out.push(await client.get<NodeLike>({ ...nodesRef, name: n }));
  }
  return out;
}

/** Strips an optional `node/`, `nodes/` or `no/` prefix (the builder accepts TYPE/NAME). */
export function nodeName(arg: string): string {
  const m = /^(?:nodes?|no)\/(.+)$/.exec(arg);
  return m?.[1] ?? arg;
}
