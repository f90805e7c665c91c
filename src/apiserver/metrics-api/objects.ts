/**
 * metrics.k8s.io/v1beta1 objects as metrics-server serves them: NodeMetrics (the node's labels,
 * `timestamp`, `window`, `usage`) and PodMetrics (per-container `usage`), CPU in nanocores and
 * memory in bytes as canonical quantities (`123456789n`, `12444Ki`), list items without
 * kind/apiVersion (Go's list encoding), and the API's discovery entries.
 */
import { Quantity, QuantityFormat } from '../../api/quantity.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { rfc3339Now } from '../../api/time.ts';
import type { PodUsage, Usage } from './store.ts';

/** The API group and version served. */
export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

const resource = (kind: string, plural: string, namespaced: boolean): ResourceDescription => ({
  group: METRICS_GROUP, version: METRICS_VERSION, kind, listKind: `${kind}List`, resource: plural, singular: '', namespaced,
  shortNames: [], categories: [], verbs: ['get', 'list'], subresources: [], hasStatus: false, bumpsGeneration: false, fieldSelectors: {},
});

/** Discovery entries for the two resources (metrics-server names no singular). */
export const metricsResources: readonly ResourceDescription[] = [resource('NodeMetrics', 'nodes', false), resource('PodMetrics', 'pods', true)];

/** `/apis/metrics.k8s.io`. */
export function apiGroupDocument(): Record<string, unknown> {
  const gv = { groupVersion: API_VERSION, version: METRICS_VERSION };
  return { kind: 'APIGroup', apiVersion: 'v1', name: METRICS_GROUP, versions: [gv], preferredVersion: gv };
}

/** `/apis/metrics.k8s.io/v1beta1` (aggregated servers give no storageVersionHash). */
export function resourceListDocument(): Record<string, unknown> {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: API_VERSION,
    resources: metricsResources.map((r) => ({ name: r.resource, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] })),
  };
}

/** A duration as Go's time.Duration.String() writes whole milliseconds (`15.012s`, `1m0.5s`, `800ms`). */
export function goDuration(ms: number): string {
  const total = Math.round(ms);
  if (total === 0) {
    return '0s';
  }
  if (Math.abs(total) < 1000) {
    return `${total}ms`;
  }
  const sign = total < 0 ? '-' : '';
  let rest = Math.abs(total);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const secs = Math.floor(rest / 1000);
  const frac = rest % 1000;
  const seconds = frac === 0 ? `${secs}s` : `${secs}.${String(frac).padStart(3, '0').replace(/0+$/, '')}s`;
  return hours > 0 ? `${sign}${hours}h${minutes}m${seconds}` : minutes > 0 ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}

const rfc3339 = (ms: number): string => rfc3339Now(new Date(ms));

/** `{cpu, memory}` as canonical quantities. */
export function usageList(u: Pick<Usage, 'nanocores' | 'memoryBytes'>): Record<string, string> {
  return {
    cpu: new Quantity(u.nanocores, -9, QuantityFormat.DecimalSI).toString(),
    memory: new Quantity(u.memoryBytes, 0, QuantityFormat.BinarySI).toString(),
  };
}

const typeMeta = (kind: string, asItem: boolean): Record<string, string> => (asItem ? {} : { kind, apiVersion: API_VERSION });

/** A NodeMetrics object (`asItem`: without kind/apiVersion, as inside a list). */
export function nodeMetricsObject(name: string, labels: Readonly<Record<string, string>> | undefined, u: Usage, asItem: boolean): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name, creationTimestamp: rfc3339Now() };
  if (labels !== undefined && Object.keys(labels).length > 0) {
    metadata.labels = { ...labels };
  }
  return { ...typeMeta('NodeMetrics', asItem), metadata, timestamp: rfc3339(u.timestampMs), window: goDuration(u.windowMs), usage: usageList(u) };
}

/** A PodMetrics object, containers sorted by name. */
export function podMetricsObject(namespace: string, name: string, labels: Readonly<Record<string, string>> | undefined, u: PodUsage, asItem: boolean): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name, namespace, creationTimestamp: rfc3339Now() };
  if (labels !== undefined && Object.keys(labels).length > 0) {
    metadata.labels = { ...labels };
  }
  const containers = [...u.containers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([c, usage]) => ({ name: c, usage: usageList(usage) }));
  return { ...typeMeta('PodMetrics', asItem), metadata, timestamp: rfc3339(u.timestampMs), window: goDuration(u.windowMs), containers };
}

/** A NodeMetricsList or PodMetricsList. */
export function metricsList(kind: 'NodeMetricsList' | 'PodMetricsList', items: readonly Record<string, unknown>[]): Record<string, unknown> {
  return { kind, apiVersion: API_VERSION, metadata: {}, items };
}

/** One object's Table cells: name, cpu, memory (summed over containers for pods), window. */
function tableCells(obj: Record<string, unknown>): unknown[] {
  const meta = obj.metadata as { name?: string };
  const lists = obj.usage !== undefined ? [obj.usage as Record<string, string>] : ((obj.containers ?? []) as { usage: Record<string, string> }[]).map((c) => c.usage);
  const sum = (key: string, format: QuantityFormat): string => lists.reduce((acc, l) => acc.add(Quantity.parse(l[key] ?? '0')), new Quantity(0n, 0, format)).toString();
  return [meta.name ?? '', sum('cpu', QuantityFormat.DecimalSI), sum('memory', QuantityFormat.BinarySI), obj.window];
}

/**
 * metrics-server's Table for NodeMetrics/PodMetrics (what `kubectl get podmetrics` asks for):
 * Name, cpu, memory, Window; `rowObject` turns an item into the row's object (includeObject).
 */
export function metricsTable(objects: readonly Record<string, unknown>[], metaVersion: string, rowObject: (obj: Record<string, unknown>) => unknown): Record<string, unknown> {
  const column = (name: string, format: string, description = ''): Record<string, unknown> => ({ name, type: 'string', format, description, priority: 0 });
  return {
    kind: 'Table', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: {},
    columnDefinitions: [column('Name', 'name', 'Name of the resource'), column('cpu', 'quantity'), column('memory', 'quantity'), column('Window', 'duration')],
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: tableCells(o) };
      const object = rowObject(o);
      if (object !== undefined) {
        row.object = object;
      }
      return row;
    }),
  };
}
