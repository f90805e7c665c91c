/**
 * Validation with upstream's rules and messages: the contract the registry codes against.
 * Every kind gets ObjectMeta validation (create or update); kinds listed in `kindValidators`
 * add their spec rules. Unknown kinds (custom resources) are checked like upstream's CR
 * strategy: DNS-1123 subdomain names, no core finalizer rule.
 */
import type { FieldError } from '../errors.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment } from './names.ts';
import type { NameValidator } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';
import type { MetaOptions } from './objectmeta.ts';
import { kindValidators } from './kinds.ts';
import { QuantityFormatError, QuantitySuffixError } from '../quantity.ts';

export { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';

const pathSegmentKinds = new Set([
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
]);

const builtInGroups = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'storage.k8s.io',
  'coordination.k8s.io', 'scheduling.k8s.io', 'discovery.k8s.io', 'events.k8s.io',
  'admissionregistration.k8s.io', 'certificates.k8s.io', 'node.k8s.io', 'flowcontrol.apiserver.k8s.io',
  'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io',
]);

/** How names of a kind are validated (upstream's per-kind ValidateNameFunc). */
export function nameValidatorFor(gvk: GroupVersionKind): NameValidator {
  const gk = `${gvk.group}/${gvk.kind}`;
  if (gk === '/Namespace') {
    return nameIsDNSLabel;
  }
  if (gk === '/Service') {
    return nameIsDNS1035Label;
  }
  if (pathSegmentKinds.has(gk)) {
    return nameIsPathSegment;
  }
  return nameIsDNSSubdomain;
}

function metaOptions(gvk: GroupVersionKind): MetaOptions {
  return { nameFn: nameValidatorFor(gvk), builtIn: builtInGroups.has(gvk.group) };
}

/** Field errors for a create (old undefined) or an update of `obj`; empty when valid. */
export function validateObject(gvk: GroupVersionKind, obj: KubeObject, old?: KubeObject): FieldError[] {
  const opts = metaOptions(gvk);
  const errs = old === undefined ? validateObjectMeta(obj.metadata, opts) : validateObjectMetaUpdate(obj.metadata, old.metadata, opts);
  const kind = kindValidators[`${gvk.group}/${gvk.kind}`];
  if (kind !== undefined) {
    errs.push(...kind(obj, old, gvk));
  }
  // Like field.ErrorList.ToAggregate: the same error reported twice is shown once.
  const seen = new Set<string>();
  return errs.filter((e) => {
    const id = `${e.field}\u0000${e.message}`;
    if (seen.has(id)) {
      return false;
    }
    seen.add(id);
    return true;
  });
}

/**
 * Upstream rejects an unparsable quantity while decoding the body (400 BadRequest), before
 * validation. When `errors` contains such a quantity error, this returns the 400 message
 * upstream sends (`Pod in version "v1" cannot be handled as a Pod: quantities must match ...`);
 * the registry should then throw badRequest(message) instead of the 422.
 */
export function decodeErrorMessage(gvk: GroupVersionKind, errors: readonly FieldError[]): string | undefined {
  const bad = errors.find((e) => e.type === 'FieldValueInvalid' && (e.message.endsWith(`: ${QuantityFormatError}`) || e.message.endsWith(`: ${QuantitySuffixError}`)));
  if (bad === undefined) {
    return undefined;
  }
  const reason = bad.message.endsWith(QuantityFormatError) ? QuantityFormatError : QuantitySuffixError;
  return `${gvk.kind} in version "${gvk.version}" cannot be handled as a ${gvk.kind}: ${reason}`;
}
