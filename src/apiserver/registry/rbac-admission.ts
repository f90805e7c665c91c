/**
 * The RBAC objects' own admission (upstream's RBAC storage wrappers): a Role or ClusterRole write
 * must not grant rules the writer lacks, a RoleBinding or ClusterRoleBinding must not bind a role
 * whose rules the writer lacks (authz/escalation.ts). Writes the server makes itself carry no
 * authorizer and are not checked.
 */
import { isDeepStrictEqual } from 'node:util';
import { notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { checkBindingWrite, checkRoleWrite } from '../authz/escalation.ts';
import type { PolicyRule } from '../authz/types.ts';
import type { RegistryCore } from './core.ts';
import { readObject } from './pod-admission.ts';
import type { WriteContext } from './types.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * An update that changes nothing but what the garbage collector writes (ownerReferences,
 * finalizers; managedFields and resourceVersion follow any write): upstream lets it through
 * unchecked, so the collector can finish with an object whose grants it does not hold. Any other
 * change, a label included, is checked.
 */
function onlyGcFieldsChanged(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => {
    const { ownerReferences: _o, finalizers: _f, selfLink: _s, managedFields: _m, resourceVersion: _r, ...meta } = o.metadata;
    return { ...o, metadata: meta };
  };
  return isDeepStrictEqual(strip(obj), strip(old));
}

function rulesOf(obj: KubeObject | undefined): PolicyRule[] {
  return Array.isArray(obj?.rules) ? (obj.rules as PolicyRule[]) : [];
}

/** Checks a create (old undefined) or update of an RBAC object against the writer's own permissions. */
export async function admitRbacWrite(core: RegistryCore, desc: ResourceDescription, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): Promise<void> {
  if (desc.group !== RBAC_GROUP || ctx.authorizer === undefined) {
    return;
  }
  const req = { authorizer: ctx.authorizer, user: ctx.user, resource: desc.resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
  if (old !== undefined && onlyGcFieldsChanged(obj, old)) {
    return;
  }
  if (desc.resource === 'roles' || desc.resource === 'clusterroles') {
    checkRoleWrite(req, rulesOf(obj), obj.aggregationRule !== undefined && obj.aggregationRule !== null && !isDeepStrictEqual(old?.aggregationRule, obj.aggregationRule));
    return;
  }
  if (desc.resource !== 'rolebindings' && desc.resource !== 'clusterrolebindings') {
    return;
  }
  const roleRef = (obj.roleRef ?? {}) as { kind?: string; name?: string };
  const ref = { kind: roleRef.kind ?? '', name: roleRef.name ?? '' };
  await checkBindingWrite(req, ref, async () => {
    const roleDesc = core.lookup(RBAC_GROUP, ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles');
    const role = roleDesc === undefined ? undefined : await readObject(core, roleDesc, ref.kind === 'ClusterRole' ? undefined : req.namespace, ref.name);
    if (role === undefined) {
      // As upstream: binding a role that does not exist yet would hand over whatever it later grants.
      throw notFound(RBAC_GROUP, ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles', ref.name);
    }
    return rulesOf(role);
  });
}
