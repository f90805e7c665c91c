/** Which API groups are served by built-in (compiled-in) types rather than CRDs. */
import type { GroupVersionKind } from '../object.ts';

const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'extensions',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'scheduling.k8s.io',
  'node.k8s.io',
  'certificates.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'resource.k8s.io',
  'storagemigration.k8s.io',
  'internal.apiserver.k8s.io',
]);

/** True for kinds of built-in groups; custom resources (CRDs, even in *.k8s.io groups) answer false. */
export function isBuiltinKind(gvk: GroupVersionKind): boolean {
  return BUILTIN_GROUPS.has(gvk.group);
}
