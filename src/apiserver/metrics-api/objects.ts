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
