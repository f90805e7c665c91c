/**
 * `kubectl top node|pod`: needs the metrics.k8s.io API (metrics-server). k8ts serves none yet, so
 * after discovery says so this prints upstream's `Metrics API not available`; the tables
 * themselves are not written yet.
 */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { runSubverbs } from '../cli/subverbs.ts';
import type { SubverbTable } from '../cli/subverbs.ts';
import { selectorFlag } from '../polymorphic/nodes.ts';

async function metricsOrFail(ctx: KubectlContext): Promise<never> {
  const all = await (await ctx.discovery()).all();
  if (!all.some((m) => m.group === 'metrics.k8s.io')) {
    throw new CliError('Metrics API not available');
  }
  throw new CliError('kubectl top is not implemented by k8ts kubectl yet');
}

const sortFlag = { name: 'sort-by', type: 'string', default: '', usage: "If non-empty, sort pods list using specified field. The field can be either 'cpu' or 'memory'." } as const;

const node: Verb = {
  use: 'node [NAME | -l label]',
  short: 'Display resource (CPU/memory) usage of nodes',
  aliases: ['nodes', 'no'],
  flags: [selectorFlag, sortFlag, { name: 'no-headers', type: 'bool', default: false, usage: 'If present, print output without headers' }, { name: 'show-capacity', type: 'bool', default: false, usage: 'Print node resources based on Capacity instead of Allocatable(default) of the nodes.' }],
  run: (ctx) => metricsOrFail(ctx),
};

const pod: Verb = {
  use: 'pod [NAME | -l label]',
  short: 'Display resource (CPU/memory) usage of pods',
  aliases: ['pods', 'po'],
  flags: [
    selectorFlag,
    sortFlag,
    { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.' },
    { name: 'containers', type: 'bool', default: false, usage: 'If present, print usage of containers within a pod.' },
    { name: 'no-headers', type: 'bool', default: false, usage: 'If present, print output without headers.' },
    { name: 'field-selector', type: 'string', default: '', usage: "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type." },
    { name: 'sum', type: 'bool', default: false, usage: 'Print the sum of the resource usage' },
  ],
  run: (ctx) => metricsOrFail(ctx),
};

const table: SubverbTable = {
  node: { short: node.short, load: () => Promise.resolve(node) },
  nodes: { short: node.short, load: () => Promise.resolve(node) },
  no: { short: node.short, load: () => Promise.resolve(node) },
  pod: { short: pod.short, load: () => Promise.resolve(pod) },
  pods: { short: pod.short, load: () => Promise.resolve(pod) },
  po: { short: pod.short, load: () => Promise.resolve(pod) },
};

const verb: Verb = {
  use: 'top',
  short: 'Display resource (CPU/memory) usage',
  long: 'Display resource (CPU/memory) usage.',
  flags: [],
  passThroughArgs: true,
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    const code = await runSubverbs(ctx, 'top', verb, table, args, flags);
    const bare = !args.some((a) => !a.startsWith('-') || a === '-') && !args.includes('--help') && !args.includes('-h');
    return bare ? 1 : code;
  },
};

export default verb;
