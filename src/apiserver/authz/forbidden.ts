/** The 403 a denied request gets, worded as upstream's apiserver words it (kubectl prints it verbatim). */
import { forbidden, qualifiedResource } from '../../api/errors.ts';
import type { StatusError } from '../../api/errors.ts';
import type { Attributes } from './types.ts';

/** `User "jane" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenMessage(a: Attributes): string {
  if (!a.resourceRequest) {
    return `User "${a.user.username}" cannot ${a.verb} path "${a.path}"`;
  }
  const resource = a.subresource === '' ? a.resource : `${a.resource}/${a.subresource}`;
  const where = a.namespace !== '' ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${a.user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
}

/** The Forbidden StatusError for a denied request (`pods "x" is forbidden: User ...`). */
export function forbiddenError(a: Attributes, reason: string): StatusError {
  const why = reason === '' ? forbiddenMessage(a) : `${forbiddenMessage(a)}: ${reason}`;
  if (!a.resourceRequest || a.resource === '') {
    return forbidden(`forbidden: ${why}`);
  }
  const what = qualifiedResource(a.apiGroup, a.resource);
  const message = a.name === '' ? `${what} is forbidden: ${why}` : `${what} "${a.name}" is forbidden: ${why}`;
  return forbidden(message, { name: a.name === '' ? undefined : a.name, group: a.apiGroup === '' ? undefined : a.apiGroup, kind: a.resource });
}
