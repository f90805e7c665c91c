/**
 * The metrics.k8s.io/v1beta1 endpoints: get/list of `nodes` and (namespaced or across all
 * namespaces) `pods`, with label selectors and `metadata.name`/`metadata.namespace` field
 * selectors, answered from the scraped usage as metrics-server answers them: only Running pods
 * whose every container has two points, only nodes with two points, sorted by
 * namespace and name; NotFound as `node "x" not found` / `pod "x" not found` when the object is
 * missing and `nodemetrics.metrics.k8s.io "x" not found` / `podmetrics.metrics.k8s.io "ns/x" not
 * found` when its metrics are.
 */
import { isNotFound, methodNotSupported, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { parseFieldSelector } from '../../api/selectors/index.ts';
import { pathNotFound } from '../http/resources.ts';
import type { Registry } from '../registry/types.ts';
import { apiGroupDocument, METRICS_GROUP, METRICS_VERSION, metricsList, nodeMetricsObject, podMetricsObject, resourceListDocument } from './objects.ts';
import type { MetricsStore } from './store.ts';

/** A metrics.k8s.io request, parsed from its path. */
export interface MetricsRoute {
  /** undefined for the discovery documents. */
  readonly resource: 'nodes' | 'pods' | undefined;
  /** Which discovery document: the group or the version. */
  readonly document?: 'group' | 'version';
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

const PREFIX = `/apis/${METRICS_GROUP}`;

/** The route for a path under /apis/metrics.k8s.io, undefined for any other path; throws 404 for unknown paths inside the group. */
export function parseMetricsPath(pathname: string): MetricsRoute | undefined {
  if (pathname !== PREFIX && !pathname.startsWith(`${PREFIX}/`)) {
    return undefined;
  }
  const parts = pathname.slice(PREFIX.length).split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 0) {
    return { resource: undefined, document: 'group', namespace: undefined, name: undefined };
  }
  if (parts[0] !== METRICS_VERSION) {
    throw pathNotFound();
  }
  const rest = parts.slice(1);
  if (rest.length === 0) {
    return { resource: undefined, document: 'version', namespace: undefined, name: undefined };
  }
  if (rest[0] === 'nodes' && rest.length <= 2) {
    return { resource: 'nodes', namespace: undefined, name: rest[1] };
  }
  if (rest[0] === 'pods' && rest.length === 1) {
    return { resource: 'pods', namespace: undefined, name: undefined };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest.length <= 4 && rest[2] === 'pods') {
    return { resource: 'pods', namespace: rest[1], name: rest[3] };
  }
  throw pathNotFound();
}

/** What answering needs. */
export interface MetricsReader {
  readonly registry: Registry;
  readonly store: MetricsStore;
}

function fieldFilter(query: URLSearchParams): (obj: KubeObject) => boolean {
  const text = query.get('fieldSelector') ?? '';
  if (text === '') {
    return () => true;
  }
  const selector = parseFieldSelector(text);
  return (obj) => selector.matches((f) => (f === 'metadata.name' ? obj.metadata.name : f === 'metadata.namespace' ? obj.metadata.namespace : undefined));
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}\u0000${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}\u0000${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function describeOrThrow(registry: Registry, resource: 'nodes' | 'pods') {
  const desc = registry.resolve('', 'v1', resource);
  if (desc === undefined) {
    throw pathNotFound();
  }
  return desc;
}

function nodeItem(r: MetricsReader, node: KubeObject, asItem: boolean): Record<string, unknown> | undefined {
  const name = node.metadata.name ?? '';
  const usage = r.store.nodeUsage(name);
  return usage === undefined ? undefined : nodeMetricsObject(name, node.metadata.labels, usage, asItem);
}

function podItem(r: MetricsReader, pod: KubeObject, asItem: boolean): Record<string, unknown> | undefined {
  if ((pod.status as { phase?: string } | undefined)?.phase !== 'Running') {
    return undefined;
  }
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  const usage = r.store.podUsage(ns, name);
  return usage === undefined ? undefined : podMetricsObject(ns, name, pod.metadata.labels, usage, asItem);
}

/** The JSON answer to a GET on `route` (throws a StatusError for NotFound and bad selectors). */
export async function answerMetrics(r: MetricsReader, route: MetricsRoute, query: URLSearchParams): Promise<Record<string, unknown>> {
  if (route.resource === undefined) {
    return route.document === 'group' ? apiGroupDocument() : resourceListDocument();
  }
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    throw methodNotSupported(METRICS_GROUP, route.resource, 'watch');
  }
  const desc = describeOrThrow(r.registry, route.resource);
  if (route.name !== undefined) {
    // The object's own NotFound (as metrics-server's listers word it) comes first.
    let obj: KubeObject;
    try {
      obj = await r.registry.get(desc, route.namespace, route.name);
    } catch (e) {
      throw isNotFound(e) ? notFound('', route.resource === 'nodes' ? 'node' : 'pod', route.name) : e;
    }
    const item = route.resource === 'nodes' ? nodeItem(r, obj, false) : podItem(r, obj, false);
    if (item === undefined) {
      throw route.resource === 'nodes'
        ? notFound(METRICS_GROUP, 'nodemetrics', route.name)
        : notFound(METRICS_GROUP, 'podmetrics', `${route.namespace ?? ''}/${route.name}`);
    }
    return item;
  }
  const labelSelector = query.get('labelSelector') ?? undefined;
  const keep = fieldFilter(query);
  const objects = (await r.registry.list(desc, route.namespace, { labelSelector })).items.filter(keep).sort(byNamespaceAndName);
  const items = objects.map((o) => (route.resource === 'nodes' ? nodeItem(r, o, true) : podItem(r, o, true))).filter((x) => x !== undefined);
  return metricsList(route.resource === 'nodes' ? 'NodeMetricsList' : 'PodMetricsList', items);
}
