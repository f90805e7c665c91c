/**
 * `kubectl top node|pod`: reads metrics.k8s.io/v1beta1 NodeMetrics/PodMetrics and prints
 * kubectl 1.35's tables: CPU as millicores (rounded up), memory as whole Mi, node percentages
 * of allocatable (or capacity with --show-capacity), nodes without metrics as `<unknown>`,
 * pods per container with --containers, the `--sum` line, sorting by cpu or memory (largest
 * first) else by name. Without the API: `Metrics API not available`.
 */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { boolFlag, stringFlag } from '../cli/flags.ts';
import { runSubverbs } from '../cli/subverbs.ts';
import type { SubverbTable } from '../cli/subverbs.ts';
import { selectorFlag } from '../polymorphic/nodes.ts';
import { TabWriter } from '../printers/tabwriter.ts';
import { Quantity } from '../../api/quantity.ts';
import { parseLabelSelector } from '../../api/selectors/index.ts';
import type { KubeObject } from '../../api/object.ts';

const METRICS = { group: 'metrics.k8s.io', version: 'v1beta1' } as const;
const METRICS_CREATION_DELAY_MS = 2 * 60 * 1000;

type ResourceList = Readonly<Record<string, string>>;

interface NodeMetrics extends KubeObject {
  usage?: ResourceList;
}

interface PodMetrics extends KubeObject {
  containers?: { name: string; usage?: ResourceList }[];
}

interface NodeShape extends KubeObject {
  status?: { allocatable?: ResourceList; capacity?: ResourceList };
}

/** Usage in the units kubectl prints: CPU millicores (rounded up) and memory bytes. */
interface Measured {
  readonly cpuMilli: bigint;
  readonly memoryBytes: bigint;
  readonly swapBytes: bigint;
}

function quantity(list: ResourceList | undefined, name: string): Quantity {
  const v = list?.[name];
  return v === undefined ? Quantity.fromInt(0) : Quantity.parse(v);
}

function measure(lists: readonly (ResourceList | undefined)[]): Measured {
  let cpu = Quantity.fromInt(0);
  let memory = Quantity.fromInt(0);
  let swap = Quantity.fromInt(0);
  for (const l of lists) {
    cpu = cpu.add(quantity(l, 'cpu'));
    memory = memory.add(quantity(l, 'memory'));
    swap = swap.add(quantity(l, 'swap'));
  }
  return { cpuMilli: cpu.scaledValue(-3), memoryBytes: memory.scaledValue(0), swapBytes: swap.scaledValue(0) };
}

const mebibytes = (bytes: bigint): string => `${bytes / 1048576n}Mi`;

/** int64(float64(used milli) / float64(available milli) * 100), as kubectl computes the percentage. */
function percent(usedMilli: bigint, available: Quantity): string {
  const avail = available.scaledValue(-3);
  const fraction = avail === 0n ? 0 : (Number(usedMilli) / Number(avail)) * 100;
  return `${Math.trunc(fraction)}%`;
}

function validateSortBy(flags: FlagValues): string {
  const sortBy = stringFlag(flags, 'sort-by');
  if (sortBy !== '' && sortBy !== 'cpu' && sortBy !== 'memory') {
    throw new CliError('--sort-by accepts only cpu or memory');
  }
  return sortBy;
}

/** As upstream, asks the server's group list afresh (not the discovery cache, which may predate the API). */
async function requireMetricsApi(ctx: KubectlContext): Promise<void> {
  const list = await (await ctx.client()).request<{ groups?: { name?: string; versions?: { version?: string }[] }[] }>({ method: 'GET', path: '/apis' });
  if (!(list.groups ?? []).some((g) => g.name === METRICS.group && (g.versions ?? []).some((v) => v.version === METRICS.version))) {
    throw new CliError('Metrics API not available');
  }
}

/** Stable sort (Go's sort.Sort on these short lists is an insertion sort: ties keep their order). */
function sortBy<T>(items: T[], sort: string, usage: (x: T) => Measured, name: (x: T) => string): T[] {
  const byName = (a: T, b: T): number => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
  const desc = (a: bigint, b: bigint): number => (a > b ? -1 : a < b ? 1 : 0);
  return items.sort(sort === 'cpu' ? (a, b) => desc(usage(a).cpuMilli, usage(b).cpuMilli) : sort === 'memory' ? (a, b) => desc(usage(a).memoryBytes, usage(b).memoryBytes) : byName);
}

function usageCells(m: Measured, showSwap: boolean, available?: { cpu?: Quantity; memory?: Quantity }): string[] {
  const cells = [`${m.cpuMilli}m`];
  if (available?.cpu !== undefined) {
    cells.push(percent(m.cpuMilli, available.cpu));
  }
  cells.push(mebibytes(m.memoryBytes));
  if (available?.memory !== undefined) {
    cells.push(percent(m.memoryBytes * 1000n, available.memory));
  }
  if (showSwap) {
    cells.push(mebibytes(m.swapBytes));
  }
  return cells;
}

async function runTopNode(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
  if (args.length > 1) {
    throw new CliError('node [NAME | -l label]');
  }
  const name = args[0] ?? '';
  const sort = validateSortBy(flags);
  const selector = stringFlag(flags, 'selector');
  if (name !== '' && selector !== '') {
    throw new CliError('only one of NAME or --selector can be provided');
  }
  const labelSelector = selector === '' ? '' : parseLabelSelector(selector).toString();
  const showSwap = boolFlag(flags, 'show-swap');
  await requireMetricsApi(ctx);
  const client = await ctx.client();
  const metrics: NodeMetrics[] = name !== ''
    ? [await client.get<NodeMetrics>({ ...METRICS, resource: 'nodes', name })]
    : (await client.list<NodeMetrics>({ ...METRICS, resource: 'nodes' }, labelSelector === '' ? {} : { labelSelector })).items;
  if (metrics.length === 0) {
    throw new CliError('metrics not available yet');
  }
  const nodes: NodeShape[] = name !== ''
    ? [await client.get<NodeShape>({ group: '', version: 'v1', resource: 'nodes', name })]
    : (await client.list<NodeShape>({ group: '', version: 'v1', resource: 'nodes' }, labelSelector === '' ? {} : { labelSelector })).items;
  const available = new Map(nodes.map((n) => [n.metadata.name ?? '', boolFlag(flags, 'show-capacity') ? n.status?.capacity : n.status?.allocatable]));
  const w = new TabWriter();
  const row = (cells: string[]): void => w.row([...cells, '']);
  if (!boolFlag(flags, 'no-headers')) {
    row(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)', ...(showSwap ? ['SWAP(bytes)', 'SWAP(%)'] : [])]);
  }
  const measured = new Map(metrics.map((m) => [m, measure([m.usage])]));
  for (const m of sortBy([...metrics], sort, (x) => measured.get(x) ?? measure([]), (x) => x.metadata.name ?? '')) {
    const nodeName = m.metadata.name ?? '';
    const list = available.get(nodeName);
    available.delete(nodeName);
    const usage = measured.get(m) ?? measure([]);
    const cells = usageCells(usage, false, list === undefined ? {} : { cpu: list.cpu === undefined ? undefined : Quantity.parse(list.cpu), memory: list.memory === undefined ? undefined : Quantity.parse(list.memory) });
    // No swap is measured here: kubectl marks a node missing it `<unknown>`.
    row([nodeName, ...cells, ...(showSwap ? ['<unknown>', '<unknown>'] : [])]);
  }
  // Nodes without metrics (upstream prints these in map order; sorted here).
  for (const nodeName of [...available.keys()].sort()) {
    row([nodeName, ...Array.from({ length: showSwap ? 6 : 4 }, () => '<unknown>')]);
  }
  ctx.stdout.write(w.flush());
  return 0;
}

function goDurationSeconds(ms: number): string {
  const total = ms / 1000;
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  const sec = `${Number(s.toFixed(9))}s`;
  return m > 0 ? `${m}m${sec}` : sec;
}

async function explainEmpty(ctx: KubectlContext, namespace: string, name: string, query: Record<string, string>): Promise<void> {
  const client = await ctx.client();
  const pods = name !== ''
    ? [await client.get({ group: '', version: 'v1', resource: 'pods', namespace, name })]
    : (await client.list({ group: '', version: 'v1', resource: 'pods', namespace }, query)).items;
  if (pods.length === 0) {
    return;
  }
  for (const p of pods) {
    const age = Date.now() - Date.parse(p.metadata.creationTimestamp ?? '');
    if (age > METRICS_CREATION_DELAY_MS) {
      throw new CliError(`Metrics not available for pod ${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}, age: ${goDurationSeconds(age)}`);
    }
  }
  throw new CliError('metrics not available yet');
}

async function runTopPod(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
  if (args.length > 1) {
    throw new CliError('pod [NAME | -l label]');
  }
  const name = args[0] ?? '';
  const sort = validateSortBy(flags);
  const selector = stringFlag(flags, 'selector');
  const fieldSelector = stringFlag(flags, 'field-selector');
  if (name !== '' && (selector !== '' || fieldSelector !== '')) {
    throw new CliError('only one of NAME or selector can be provided');
  }
  const query: Record<string, string> = {};
  if (selector !== '') {
    query.labelSelector = parseLabelSelector(selector).toString();
  }
  if (fieldSelector !== '') {
    query.fieldSelector = fieldSelector;
  }
  const allNamespaces = boolFlag(flags, 'all-namespaces');
  const { namespace } = await ctx.namespace();
  const showSwap = boolFlag(flags, 'show-swap');
  const containers = boolFlag(flags, 'containers');
  await requireMetricsApi(ctx);
  const client = await ctx.client();
  const ns = allNamespaces ? undefined : namespace;
  const metrics: PodMetrics[] = name !== ''
    ? [await client.get<PodMetrics>({ ...METRICS, resource: 'pods', namespace: ns, name })]
    : (await client.list<PodMetrics>({ ...METRICS, resource: 'pods', namespace: ns }, query)).items;
  if (metrics.length === 0) {
    // As upstream, the pods are looked up in the context's namespace even with -A.
    await explainEmpty(ctx, namespace, name, query);
    ctx.stderr.write(allNamespaces ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    return 0;
  }
  const w = new TabWriter();
  const row = (cells: string[]): void => w.row([...cells, '']);
  const columns = ['NAME', 'CPU(cores)', 'MEMORY(bytes)', ...(showSwap ? ['SWAP(bytes)'] : [])];
  const width = columns.length + (allNamespaces ? 1 : 0) + (containers ? 1 : 0);
  if (!boolFlag(flags, 'no-headers')) {
    row([...(allNamespaces ? ['NAMESPACE'] : []), ...(containers ? ['POD'] : []), ...columns]);
  }
  const measured = new Map(metrics.map((m) => [m, measure((m.containers ?? []).map((c) => c.usage))]));
  const byName = (m: PodMetrics): string => `${allNamespaces ? `${m.metadata.namespace ?? ''}\u0000` : ''}${m.metadata.name ?? ''}`;
  for (const m of sortBy([...metrics], sort, (x) => measured.get(x) ?? measure([]), byName)) {
    const nsCell = allNamespaces ? [m.metadata.namespace ?? ''] : [];
    if (containers) {
      const cs = (m.containers ?? []).map((c) => ({ name: c.name, usage: measure([c.usage]) }));
      for (const c of sortBy(cs, sort, (x) => x.usage, (x) => x.name)) {
        row([...nsCell, m.metadata.name ?? '', c.name, ...usageCells(c.usage, showSwap)]);
      }
    } else {
      row([...nsCell, m.metadata.name ?? '', ...usageCells(measured.get(m) ?? measure([]), showSwap)]);
    }
  }
  if (boolFlag(flags, 'sum')) {
    const total = measure(metrics.flatMap((m) => (m.containers ?? []).map((c) => c.usage)));
    row([...Array.from({ length: width - 2 }, () => ''), '________', '________']);
    row([...Array.from({ length: width - 3 }, () => ''), '', ...usageCells(total, showSwap)]);
  }
  ctx.stdout.write(w.flush());
  return 0;
}

const sortFlag = (what: string) => ({ name: 'sort-by', type: 'string', default: '', usage: `If non-empty, sort ${what} list using specified field. The field can be either 'cpu' or 'memory'.` }) as const;
const protobufFlag = { name: 'use-protocol-buffers', type: 'bool', default: true, usage: 'Enables using protocol-buffers to access Metrics API.' } as const;

const node: Verb = {
  use: 'node [NAME | -l label]',
  short: 'Display resource (CPU/memory) usage of nodes',
  aliases: ['nodes', 'no'],
  flags: [
    selectorFlag, sortFlag('nodes'),
    { name: 'no-headers', type: 'bool', default: false, usage: 'If present, print output without headers' },
    { name: 'show-capacity', type: 'bool', default: false, usage: 'Print node resources based on Capacity instead of Allocatable(default) of the nodes.' },
    { name: 'show-swap', type: 'bool', default: false, usage: 'Print node resources related to swap memory.' },
    protobufFlag,
  ],
  run: runTopNode,
};

const pod: Verb = {
  use: 'pod [NAME | -l label]',
  short: 'Display resource (CPU/memory) usage of pods',
  aliases: ['pods', 'po'],
  flags: [
    selectorFlag,
    sortFlag('pods'),
    { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.' },
    { name: 'containers', type: 'bool', default: false, usage: 'If present, print usage of containers within a pod.' },
    { name: 'no-headers', type: 'bool', default: false, usage: 'If present, print output without headers.' },
    { name: 'field-selector', type: 'string', default: '', usage: "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type." },
    { name: 'sum', type: 'bool', default: false, usage: 'Print the sum of the resource usage' },
    { name: 'show-swap', type: 'bool', default: false, usage: 'Print pod resources related to swap memory.' },
    protobufFlag,
  ],
  run: runTopPod,
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
