/**
 * URL path → route: discovery documents, non-resource endpoints, and resource paths
 * (`/api/v1/...`, `/apis/<g>/<v>/...`, namespaced or not, legacy `/watch/` prefixes).
 */

/** A parsed resource path. `namespace` undefined means cluster scope (or a cluster-wide list). */
export interface ResourceRoute {
  readonly kind: 'resource';
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  /** Path below a subresource (`pods/x/proxy/<path>`), for connect-style subresources. */
  readonly subpath: string | undefined;
  /** The deprecated `/watch/` path prefix was used. */
  readonly legacyWatch: boolean;
}

export type Route =
  | { readonly kind: 'root' }
  | { readonly kind: 'version' }
  | { readonly kind: 'health'; readonly endpoint: 'healthz' | 'livez' | 'readyz'; readonly check: string | undefined }
  | { readonly kind: 'metrics' }
  | { readonly kind: 'openapiV3Index' }
  | { readonly kind: 'openapiV3Document'; readonly groupVersionPath: string }
  | { readonly kind: 'openapiV2' }
  | { readonly kind: 'apiVersions' }
  | { readonly kind: 'apiGroupList' }
  | { readonly kind: 'apiGroup'; readonly group: string }
  | { readonly kind: 'resourceList'; readonly group: string; readonly version: string }
  | ResourceRoute
  | { readonly kind: 'notFound' };

/** Answers whether `resource` in group/version is a namespaced resource (undefined: not served). */
export type ScopeLookup = (group: string, version: string, resource: string) => boolean | undefined;

function splitPath(pathname: string): string[] | undefined {
  const parts = pathname.split('/');
  // Without the empty segments before the leading and after a trailing slash.
  const start = parts[0] === '' ? 1 : 0;
  const end = parts.length > start && parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
  const raw = parts.slice(start, end);
  if (!pathname.includes('%')) {
    return raw; // nothing to decode: the common case, on every request
  }
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function resourceRoute(group: string, version: string, segs: string[], scope: ScopeLookup): Route {
  let rest = segs;
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0 || rest.some((s) => s === '')) {
    return { kind: 'notFound' };
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    // `namespaces/<ns>/<resource>...` unless <resource> is no namespaced resource here and
    // the path names a subresource of the Namespace object itself (`namespaces/x/status`, `/finalize`).
    const inner = scope(group, version, rest[2]);
    if (inner === true || scope(group, version, 'namespaces') === undefined) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [resource, name, subresource, ...below] = rest;
  return {
    kind: 'resource',
    group,
    version,
    resource,
    namespace,
    name,
    subresource,
    subpath: below.length > 0 ? below.join('/') : undefined,
    legacyWatch,
  };
}

/** Parses a request path. */
export function parseRoute(pathname: string, scope: ScopeLookup): Route {
  const segs = splitPath(pathname);
  if (segs === undefined) {
    return { kind: 'notFound' };
  }
  const [first, second, third] = segs;
  switch (first) {
    case undefined:
      return { kind: 'root' };
    case 'version':
      return segs.length === 1 ? { kind: 'version' } : { kind: 'notFound' };
    case 'healthz':
    case 'livez':
    case 'readyz':
      return segs.length <= 2 ? { kind: 'health', endpoint: first, check: second } : { kind: 'notFound' };
    case 'metrics':
      return segs.length === 1 ? { kind: 'metrics' } : { kind: 'notFound' };
    case 'openapi':
      if (second === 'v2' && segs.length === 2) {
        return { kind: 'openapiV2' };
      }
      if (second === 'v3') {
        return segs.length === 2 ? { kind: 'openapiV3Index' } : { kind: 'openapiV3Document', groupVersionPath: segs.slice(2).join('/') };
      }
      return { kind: 'notFound' };
    case 'api':
      if (second === undefined) {
        return { kind: 'apiVersions' };
      }
      if (segs.length === 2) {
        return { kind: 'resourceList', group: '', version: second };
      }
      return resourceRoute('', second, segs.slice(2), scope);
    case 'apis':
      if (second === undefined) {
        return { kind: 'apiGroupList' };
      }
      if (third === undefined) {
        return { kind: 'apiGroup', group: second };
      }
      if (segs.length === 3) {
        return { kind: 'resourceList', group: second, version: third };
      }
      return resourceRoute(second, third, segs.slice(3), scope);
    default:
      return { kind: 'notFound' };
  }
}
