/**
 * The HTTP layer of kube-apiserver: one request handler for HTTP/1.1 and the HTTP/2 compat
 * API that routes discovery, OpenAPI, health, version, metrics and resource requests, and
 * turns every failure into a metav1.Status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { openApiV2Response, openApiV3Document, openApiV3Hash, openApiV3Index } from '../../api/openapi/index.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { StatusError, StatusReason, unauthorized } from '../../api/errors.ts';
import type { Registry, UserInfo } from '../registry/types.ts';
import { buildDiscovery, type DiscoveryDocuments } from './discovery.ts';
import { defaultVersionInfo, runHealth, type HealthCheck, type VersionInfo } from './health.ts';
import { createMetrics, type ApiMetrics, type RequestLabels } from './metrics.ts';
import { discoveryContentType, negotiateDiscovery, notAcceptable, parseAccept } from './negotiate.ts';
import { boolParam, parseGoDuration } from './query.ts';
import { handleResource, methodNotAllowed, pathNotFound, type ConnectHandler, type ResourceRequest } from './resources.ts';
import { encode, send, sendError, sendJson, type AnyResponse } from './respond.ts';
import { reviewResources } from './reviews.ts';
import { nonResourceAttributes, resourceAttributes } from '../authz/attributes.ts';
import { forbiddenError } from '../authz/forbidden.ts';
import { alwaysAllow } from '../authz/rbac.ts';
import { Decision, type Authorizer } from '../authz/types.ts';
import { parseRoute, type Route } from './routes.ts';

export type { HealthCheck, VersionInfo } from './health.ts';
export type { ConnectHandler, ConnectRequest } from './resources.ts';

/** Handles one request; `user` undefined = anonymous (only /version and health endpoints allowed). */
export type ApiHandler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse, user: UserInfo | undefined) => void;

/** What the handler is built from. */
export interface ApiHandlerOptions {
  readonly registry: Registry;
  readonly version?: VersionInfo;
  /** Checks run by /healthz, /livez and /readyz besides `ping`. */
  readonly healthChecks?: readonly HealthCheck[];
  /** Serves connect-style subresources (pods/log, exec, attach, portforward, proxy) when given. */
  readonly connect?: ConnectHandler;
  /** Where internal errors are logged (default: stderr). */
  readonly log?: (message: string) => void;
  /** Metrics sink (default: a fresh one per handler). */
  readonly metrics?: ApiMetrics;
  /** Upper bound for non-long-running requests (upstream --request-timeout, default 60 s). */
  readonly requestTimeoutSeconds?: number;
  /** Decides every authenticated request (default: allow all, upstream's AlwaysAllow). */
  readonly authorizer?: Authorizer;
}

const anonymousAllowed = new Set<Route['kind']>(['version', 'health']);

/** Builds the API server's request handler. */
export function createApiHandler(opts: ApiHandlerOptions): ApiHandler {
  const { registry } = opts;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const metrics = opts.metrics ?? createMetrics();
  const version = opts.version ?? defaultVersionInfo();
  const healthChecks = opts.healthChecks ?? [];
  const requestTimeoutSeconds = opts.requestTimeoutSeconds ?? 60;
  const authorizer = opts.authorizer ?? alwaysAllow;

  let served: readonly ResourceDescription[] | undefined;
  let discovery: DiscoveryDocuments | undefined;
  registry.onResourcesChanged(() => {
    served = undefined;
    discovery = undefined;
  });
  const servedResources = (): readonly ResourceDescription[] => {
    if (served === undefined) {
      const fromRegistry = registry.resources();
      const extra = reviewResources.filter((r) => !fromRegistry.some((x) => x.group === r.group && x.version === r.version && x.resource === r.resource));
      served = [...fromRegistry, ...extra];
    }
    return served;
  };
  const docs = (): DiscoveryDocuments => (discovery ??= buildDiscovery(servedResources()));
  const scope = (group: string, ver: string, resource: string): boolean | undefined =>
    (registry.resolve(group, ver, resource) ?? reviewResources.find((r) => r.group === group && r.version === ver && r.resource === resource))?.namespaced;

  async function serveNonResource(route: Route, req: IncomingMessage | Http2ServerRequest, res: AnyResponse, query: URLSearchParams): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      throw methodNotAllowed();
    }
    const pretty = boolParam(query, 'pretty');
    const accept = req.headers.accept;
    switch (route.kind) {
      case 'root':
        sendJson(res, 200, { paths: ['/api', '/api/v1', '/apis', ...docsPaths(servedResources()), '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] }, 'application/json', pretty);
        return;
      case 'version':
        sendJson(res, 200, version, 'application/json', true);
        return;
      case 'health': {
        const answer = await runHealth(route.endpoint, route.check, healthChecks, query);
        send(res, answer.code, 'text/plain; charset=utf-8', answer.body, { 'X-Content-Type-Options': 'nosniff' });
        return;
      }
      case 'metrics': {
        const m = await metrics.render();
        send(res, 200, m.contentType, m.body);
        return;
      }
      case 'openapiV3Index':
        // OpenAPI describes stored resources only; the review endpoints have no schemas there.
        sendJson(res, 200, openApiV3Index(registry.resources()), 'application/json', pretty);
        return;
      case 'openapiV3Document': {
        const resources = registry.resources();
        const doc = openApiV3Document(route.groupVersionPath, resources);
        const hash = openApiV3Hash(route.groupVersionPath, resources);
        if (doc === undefined || hash === undefined) {
          throw pathNotFound();
        }
        const askedHash = query.get('hash');
        // Upstream: a stale ?hash= is redirected to the current one; a matching one may be cached for good.
        if (askedHash !== null && askedHash !== hash) {
          send(res, 301, 'text/plain; charset=utf-8', '', { Location: `/openapi/v3/${route.groupVersionPath}?hash=${hash}` });
          return;
        }
        const etag = `"${hash}"`;
        const cacheHeaders: Record<string, string> = askedHash === null ? { ETag: etag } : { ETag: etag, 'Cache-Control': 'public, immutable', Vary: 'Accept' };
        if (req.headers['if-none-match'] === etag) {
          res.statusCode = 304;
          for (const [k, v] of Object.entries(cacheHeaders)) {
            res.setHeader(k, v);
          }
          res.end();
          return;
        }
        send(res, 200, 'application/json', encode(doc, 'json', pretty), cacheHeaders);
        return;
      }
      case 'openapiV2': {
        // JSON or gnostic protobuf (what kubectl asks for), with ETags; see api/openapi.
        const ifNoneMatch = req.headers['if-none-match'];
        const v2 = await openApiV2Response(registry.resources(), parseAccept(accept), typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined);
        if (v2 === undefined) {
          throw notAcceptable();
        }
        send(res, v2.status, v2.contentType, v2.body, v2.headers);
        return;
      }
      case 'apiVersions':
      case 'apiGroupList': {
        const which = route.kind === 'apiVersions' ? 'api' : 'apis';
        const aggregated = negotiateDiscovery(accept);
        if (aggregated !== undefined) {
          send(res, 200, discoveryContentType(aggregated), encode(docs().aggregated(which, aggregated), 'json', pretty), { Vary: 'Accept' });
          return;
        }
        const host = req.headers.host ?? req.headers[':authority'];
        const body = which === 'api' ? docs().apiVersions(typeof host === 'string' ? host : 'localhost') : docs().apiGroupList();
        send(res, 200, 'application/json', encode(body, 'json', pretty), { Vary: 'Accept' });
        return;
      }
      case 'apiGroup': {
        const g = docs().apiGroup(route.group);
        if (g === undefined) {
          throw pathNotFound();
        }
        sendJson(res, 200, g, 'application/json', pretty);
        return;
      }
      case 'resourceList': {
        const list = docs().resourceList(route.group, route.version);
        if (list === undefined) {
          throw pathNotFound();
        }
        sendJson(res, 200, list, 'application/json', pretty);
        return;
      }
      default:
        throw pathNotFound();
    }
  }

  async function serve(req: IncomingMessage | Http2ServerRequest, res: AnyResponse, user: UserInfo | undefined, labels: { current: RequestLabels }): Promise<void> {
    // Concatenate rather than resolve: a path like `//x` must stay a path, not become a host.
    const rawUrl = req.url ?? '/';
    const url = URL.parse(`http://apiserver.invalid${rawUrl.startsWith('/') ? rawUrl : `/${rawUrl}`}`);
    if (url === null) {
      throw pathNotFound();
    }
    const route = parseRoute(url.pathname, scope);
    if (user === undefined && !anonymousAllowed.has(route.kind)) {
      throw unauthorized();
    }
    if (user !== undefined) {
      const method = req.method ?? 'GET';
      const attrs = route.kind === 'resource' ? resourceAttributes(user, method, route, url.searchParams) : nonResourceAttributes(user, method, url.pathname);
      const decision = authorizer.authorize(attrs);
      if (decision.decision !== Decision.Allow) {
        throw forbiddenError(attrs, decision.reason);
      }
    }
    if (route.kind !== 'resource') {
      await serveNonResource(route, req, res, url.searchParams);
      return;
    }
    const r: ResourceRequest = {
      req, res, user: user as UserInfo, route, query: url.searchParams, registry, connect: opts.connect, authorizer,
      labels: { ...labels.current, group: route.group, version: route.version, resource: route.resource, subresource: route.subresource ?? '' },
      longRunning: (l, kind) => metrics.longRunning(l, kind),
    };
    try {
      await handleResource(r);
    } finally {
      labels.current = r.labels;
    }
  }

  return (req, res, user) => {
    const started = process.hrtime.bigint();
    const labels = { current: { verb: (req.method ?? 'GET').toUpperCase(), group: '', version: '', resource: '', subresource: '' } as RequestLabels };
    const record = (): void => {
      metrics.observe(labels.current, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    };
    // Never let a late write to a vanished client become an unhandled 'error' event (a crash).
    (res as NodeJS.EventEmitter).on('error', (e: Error) => log(`apiserver: response error on ${req.method} ${req.url}: ${e.message}`));
    const stopTimer = requestTimeout(req, res, () => labels.current.verb === 'WATCH' || labels.current.verb === 'CONNECT', requestTimeoutSeconds);
    serve(req, res, user, labels).then(record, (err: unknown) => {
      sendError(res, err, log);
      record();
    }).catch((err: unknown) => log(`apiserver: failed to answer ${req.method} ${req.url}: ${String(err)}`)).finally(stopTimer);
  };
}

/**
 * Upstream's timeout filter: a short request that has not answered within `?timeout=` (at most
 * the server's limit) gets a 504 Timeout Status, so a stuck request never hangs the client.
 */
function requestTimeout(req: IncomingMessage | Http2ServerRequest, res: AnyResponse, longRunning: () => boolean, limitSeconds: number): () => void {
  // Most requests carry no ?timeout=: no second URL parse for them.
  const rawUrl = req.url ?? '/';
  const asked = rawUrl.includes('timeout=') ? URL.parse(`http://x${rawUrl}`)?.searchParams.get('timeout') : undefined;
  const askedSeconds = asked === null || asked === undefined ? undefined : parseGoDuration(asked);
  const seconds = askedSeconds !== undefined && askedSeconds > 0 ? Math.min(askedSeconds, limitSeconds) : limitSeconds;
  const timer = setTimeout(() => {
    if (longRunning() || res.headersSent) {
      return;
    }
    sendJson(res, 504, new StatusError(504, StatusReason.Timeout, 'Timeout: request did not complete within requested timeout - context deadline exceeded', {}).toStatus());
  }, seconds * 1000);
  timer.unref();
  return () => clearTimeout(timer);
}

function docsPaths(resources: readonly ResourceDescription[]): string[] {
  const out = new Set<string>();
  for (const r of resources) {
    out.add(r.group === '' ? `/api/${r.version}` : `/apis/${r.group}`);
    if (r.group !== '') {
      out.add(`/apis/${r.group}/${r.version}`);
    }
  }
  return [...out].sort();
}
