/**
 * Request → authorization attributes, as upstream's RequestInfoFactory derives them: the verb
 * from the HTTP method (GET on a collection is `list`, `?watch=true` or the `/watch/` prefix is
 * `watch`, DELETE on a collection is `deletecollection`), the resource coordinates from the path.
 */
import { parseGoBool } from '../http/query.ts';
import type { ResourceRoute } from '../http/routes.ts';
import type { UserInfo } from '../registry/types.ts';
import type { Attributes } from './types.ts';

/** The parts of a parsed resource route the authorizer needs. */
export type ResourceRouteLike = Pick<ResourceRoute, 'group' | 'version' | 'resource' | 'namespace' | 'name' | 'subresource' | 'legacyWatch'>;

// Go's strconv.ParseBool, as clients send it (python's `watch=True`); a malformed value counts as
// false here, and the handler rejects it with 400 after authorization, as upstream does.
const truthy = (v: string | null): boolean => v !== null && parseGoBool(v) === true;

/** Attributes of a resource request. */
export function resourceAttributes(user: UserInfo, method: string, route: ResourceRouteLike, query: URLSearchParams): Attributes {
  const m = method.toUpperCase();
  const collection = route.name === undefined;
  let verb: string;
  switch (m) {
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = collection ? 'deletecollection' : 'delete'; break;
    default: verb = route.legacyWatch || truthy(query.get('watch')) ? 'watch' : collection ? 'list' : 'get';
  }
  // A watch or list narrowed to one name by field selector is authorized for that name (upstream does the same).
  let name = route.name ?? '';
  if ((verb === 'list' || verb === 'watch') && name === '') {
    const fs = query.get('fieldSelector') ?? '';
    const m1 = /^metadata\.name=([^,]+)$/.exec(fs) ?? /^metadata\.name==([^,]+)$/.exec(fs);
    if (m1 !== null) {
      name = m1[1] ?? '';
    }
  }
  // `namespaces/<ns>` itself is cluster-scoped; upstream reports its name as the namespace too.
  const namespace = route.resource === 'namespaces' && route.namespace === undefined ? (route.name ?? '') : (route.namespace ?? '');
  return {
    user, verb, resourceRequest: true, apiGroup: route.group, apiVersion: route.version, resource: route.resource,
    subresource: route.subresource ?? '', namespace, name, path: '',
  };
}

/** Attributes of a non-resource request (`/healthz`, `/version`, `/api`, `/metrics`, ...). */
export function nonResourceAttributes(user: UserInfo, method: string, path: string): Attributes {
  return { user, verb: method.toLowerCase(), resourceRequest: false, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '', path };
}
