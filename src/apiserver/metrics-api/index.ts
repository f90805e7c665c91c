/**
 * A built-in stand-in for metrics-server behind API aggregation: k8ts has no aggregation layer,
 * so the apiserver itself scrapes every real kubelet's `/metrics/resource` each
 * `--metric-resolution` and serves metrics.k8s.io/v1beta1 (NodeMetrics, PodMetrics) the way
 * metrics-server would through kube-aggregator. Like the aggregator, it sits in front of the
 * apiserver's own handler: it answers `/apis/metrics.k8s.io/**` and the `/apis` discovery
 * documents (legacy and aggregated, with the group added last, as an APIService of priority
 * 100 is) and hands everything else on unchanged.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { ResourceDescription } from '../../api/resource.ts';
import { unauthorized } from '../../api/errors.ts';
import { nonResourceAttributes, resourceAttributes } from '../authz/attributes.ts';
import { forbiddenError } from '../authz/forbidden.ts';
import { Decision } from '../authz/types.ts';
import type { Authorizer } from '../authz/types.ts';
import { buildDiscovery } from '../http/discovery.ts';
import type { DiscoveryDocuments } from '../http/discovery.ts';
import type { ApiHandler } from '../http/index.ts';
import { discoveryContentType, negotiateDiscovery, negotiateResource, notAcceptable, Shape } from '../http/negotiate.ts';
import { methodNotAllowed } from '../http/resources.ts';
import { encode, send, sendError, sendJson } from '../http/respond.ts';
import type { AnyResponse } from '../http/respond.ts';
import { boolParam } from '../http/query.ts';
import { reviewResources } from '../http/reviews.ts';
import { IncludeObject, parseIncludeObject } from '../http/transform.ts';
import type { Registry, UserInfo } from '../registry/types.ts';
import { METRICS_GROUP, METRICS_VERSION, metricsResources, metricsTable } from './objects.ts';
import { startScraper } from './scraper.ts';
import type { Scraper } from './scraper.ts';
import { answerMetrics, parseMetricsPath } from './serve.ts';
import { MetricsStore } from './store.ts';

export { METRICS_GROUP, METRICS_VERSION } from './objects.ts';

/** metrics-server's default `--metric-resolution`. */
export const DEFAULT_METRIC_RESOLUTION_SECONDS = 15;

/** What the metrics API is built from. */
export interface MetricsApiOptions {
  readonly registry: Registry;
  readonly authorizer: Authorizer;
  /** The apiserver's kubelet client certificate (as the kubelet proxy uses). */
  readonly kubeletClient: { readonly certPem: string; readonly keyPem: string };
  readonly resolutionSeconds: number;
  /** Scraping starts once this resolves (the registry's readiness). */
  readonly ready: Promise<unknown>;
  readonly log: (message: string) => void;
}

/** The running metrics API. */
export interface MetricsApi {
  /** `inner` with metrics.k8s.io served in front of it. */
  wrap(inner: ApiHandler): ApiHandler;
  /** Resolves after the next scrape round is stored. */
  nextRound(): Promise<void>;
  close(): void;
}

/** Starts the scraper and returns the front handler. */
export function createMetricsApi(opts: MetricsApiOptions): MetricsApi {
  const resolutionMs = opts.resolutionSeconds * 1000;
  const store = new MetricsStore(resolutionMs);
  const scraper: Scraper = startScraper({
    registry: opts.registry, store, resolutionMs, ready: opts.ready, clientCertPem: opts.kubeletClient.certPem, clientKeyPem: opts.kubeletClient.keyPem, log: opts.log,
  });
  let discovery: DiscoveryDocuments | undefined;
  opts.registry.onResourcesChanged(() => {
    discovery = undefined;
  });
  const served = (): readonly ResourceDescription[] => {
    const fromRegistry = opts.registry.resources();
    const reviews = reviewResources.filter((r) => !fromRegistry.some((x) => x.group === r.group && x.version === r.version && x.resource === r.resource));
    return [...fromRegistry, ...reviews, ...metricsResources];
  };

  const authorize = (user: UserInfo | undefined, attrs: (u: UserInfo) => Parameters<Authorizer['authorize']>[0]): void => {
    if (user === undefined) {
      throw unauthorized();
    }
    const a = attrs(user);
    const decision = opts.authorizer.authorize(a);
    if (decision.decision !== Decision.Allow) {
      throw forbiddenError(a, decision.reason);
    }
  };

  async function serve(req: IncomingMessage | Http2ServerRequest, res: AnyResponse, user: UserInfo | undefined, pathname: string, query: URLSearchParams): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (pathname === '/apis') {
      authorize(user, (u) => nonResourceAttributes(u, method, pathname));
      if (method !== 'GET' && method !== 'HEAD') {
        throw methodNotAllowed();
      }
      const docs = (discovery ??= buildDiscovery(served()));
      const aggregated = negotiateDiscovery(req.headers.accept);
      const body = aggregated === undefined ? docs.apiGroupList() : docs.aggregated('apis', aggregated);
      send(res, 200, aggregated === undefined ? 'application/json' : discoveryContentType(aggregated), encode(body, 'json', boolParam(query, 'pretty')), { Vary: 'Accept' });
      return;
    }
    const route = parseMetricsPath(pathname);
    if (route === undefined) {
      return;
    }
    if (route.resource === undefined) {
      authorize(user, (u) => nonResourceAttributes(u, method, pathname));
    } else {
      authorize(user, (u) => resourceAttributes(u, method, { group: METRICS_GROUP, version: METRICS_VERSION, resource: route.resource ?? '', namespace: route.namespace, name: route.name, subresource: undefined, legacyWatch: false }, query));
    }
    if (method !== 'GET' && method !== 'HEAD') {
      throw methodNotAllowed();
    }
    const pretty = boolParam(query, 'pretty');
    if (route.resource === undefined) {
      sendJson(res, 200, await answerMetrics({ registry: opts.registry, store }, route, query), 'application/json', pretty);
      return;
    }
    const rep = negotiateResource(req.headers.accept, true, route.name === undefined);
    const includeObject = rep.shape === Shape.Table ? parseIncludeObject(query.get('includeObject')) : IncludeObject.Metadata;
    const answer = await answerMetrics({ registry: opts.registry, store }, route, query);
    let body: unknown = answer;
    if (rep.shape === Shape.Table) {
      // `kubectl get podmetrics`: metrics-server's Table (no Age column).
      const items = route.name === undefined ? (answer.items as Record<string, unknown>[]) : [answer];
      body = metricsTable(items, rep.metaVersion, (o) => (includeObject === IncludeObject.None ? undefined : includeObject === IncludeObject.Object ? o : { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${rep.metaVersion}`, metadata: o.metadata }));
    } else if (rep.shape !== Shape.Object) {
      throw notAcceptable();
    }
    send(res, 200, rep.contentType, encode(body, rep.encoding, pretty));
  }

  return {
    wrap: (inner) => (req, res, user) => {
      const rawUrl = req.url ?? '/';
      const url = URL.parse(`http://apiserver.invalid${rawUrl.startsWith('/') ? rawUrl : `/${rawUrl}`}`);
      const pathname = url?.pathname.replace(/\/+$/, '') ?? '';
      if (url === null || (pathname !== '/apis' && parseMetricsPathSafe(pathname) === false)) {
        inner(req, res, user);
        return;
      }
      (res as NodeJS.EventEmitter).on('error', (e: Error) => opts.log(`apiserver: response error on ${req.method} ${rawUrl}: ${e.message}`));
      serve(req, res, user, pathname, url.searchParams).catch((e: unknown) => sendError(res, e, opts.log));
    },
    nextRound: () => scraper.nextRound(),
    close: () => scraper.close(),
  };
}

/** Whether the path is inside the metrics group (an unknown path inside it still is). */
function parseMetricsPathSafe(pathname: string): boolean {
  try {
    return parseMetricsPath(pathname) !== undefined;
  } catch {
    return true;
  }
}
