/**
 * Authorization of streaming upgrades (exec, attach, portforward over WebSocket or SPDY), which
 * bypass the request handler. Upstream authorizes the request's own verb (`get` for a WebSocket
 * GET, `create` for a SPDY POST) and, since 1.31, also requires `create` on the subresource for
 * WebSocket upgrades, so a read-only role cannot exec; k8ts asks for both.
 */
import type { IncomingMessage } from 'node:http';
import type { StatusError } from '../../api/errors.ts';
import type { UserInfo } from '../registry/types.ts';
import { forbiddenError } from './forbidden.ts';
import { Decision } from './types.ts';
import type { Attributes, Authorizer } from './types.ts';

const STREAMING = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;

/** The 403 for a denied upgrade, or undefined when allowed (paths that are not pod streams are left to the handler's 404). */
export function authorizeUpgrade(authorizer: Authorizer, req: IncomingMessage, user: UserInfo): StatusError | undefined {
  const url = URL.parse(req.url ?? '/', 'https://apiserver.invalid');
  const m = url === null ? null : STREAMING.exec(url.pathname);
  if (m === null) {
    return undefined;
  }
  const base: Omit<Attributes, 'verb'> = {
    user, resourceRequest: true, apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: m[3] ?? '',
    namespace: decodeURIComponent(m[1] ?? ''), name: decodeURIComponent(m[2] ?? ''), path: '',
  };
  const verbs = (req.method ?? 'GET').toUpperCase() === 'GET' ? ['get', 'create'] : ['create'];
  for (const verb of verbs) {
    const attrs = { ...base, verb };
    const result = authorizer.authorize(attrs);
    if (result.decision !== Decision.Allow) {
      return forbiddenError(attrs, result.reason);
    }
  }
  return undefined;
}
