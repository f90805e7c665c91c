/** rbac.authorization.k8s.io/v1 validation: roles' rules, bindings' roleRef and subjects. */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { asArr, asObj, asStr, child, goQuote, index, invalid, notSupported, rendered, required } from './field.ts';
import { isDNS1123Subdomain, nameIsPathSegment } from './names.ts';
import { validateLabelSelector } from './labelselector.ts';

const rbacGroup = 'rbac.authorization.k8s.io';

function validateRules(rules: unknown, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  asArr(rules).forEach((raw, i) => {
    const r = asObj(raw) ?? {};
    const p = index('rules', i);
    if (asArr(r.verbs).length === 0) {
      errs.push(required(child(p, 'verbs'), 'verbs must contain at least one value'));
    }
    const urls = asArr(r.nonResourceURLs);
    if (urls.length > 0) {
      if (namespaced) {
        errs.push(invalid(child(p, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
      }
      if (asArr(r.apiGroups).length > 0 || asArr(r.resources).length > 0 || asArr(r.resourceNames).length > 0) {
        errs.push(invalid(child(p, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (asArr(r.apiGroups).length === 0) {
      errs.push(required(child(p, 'apiGroups'), 'resource rules must supply at least one api group'));
    }
    if (asArr(r.resources).length === 0) {
      errs.push(required(child(p, 'resources'), 'resource rules must supply at least one resource'));
    }
  });
  return errs;
}

/** Role (namespaced rules only). */
export function validateRole(role: KubeObject): FieldError[] {
  return validateRules(role.rules, true);
}

/** ClusterRole (rules and aggregationRule selectors). */
export function validateClusterRole(role: KubeObject): FieldError[] {
  const errs = validateRules(role.rules, false);
  const aggregation = asObj(role.aggregationRule);
  if (aggregation !== undefined) {
    const selectors = asArr(aggregation.clusterRoleSelectors);
    if (selectors.length === 0) {
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, index('aggregationRule.clusterRoleSelectors', i))));
  }
  return errs;
}

function goRoleRef(ref: Record<string, unknown>): string {
  return `rbac.RoleRef{APIGroup:${goQuote(asStr(ref.apiGroup))}, Kind:${goQuote(asStr(ref.kind))}, Name:${goQuote(asStr(ref.name))}}`;
}

/** RoleBinding / ClusterRoleBinding: roleRef (required, immutable) and subjects. */
export function validateBinding(binding: KubeObject, old: KubeObject | undefined, cluster: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = asObj(binding.roleRef) ?? {};
  if (asStr(ref.apiGroup) !== rbacGroup) {
    errs.push(notSupported('roleRef.apiGroup', asStr(ref.apiGroup), [rbacGroup]));
  }
  const kinds = cluster ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!kinds.includes(asStr(ref.kind))) {
    errs.push(notSupported('roleRef.kind', asStr(ref.kind), kinds));
  }
  const refName = asStr(ref.name);
  if (refName === '') {
    errs.push(required('roleRef.name', ''));
  } else {
    errs.push(...nameIsPathSegment(refName, false).map((m) => invalid('roleRef.name', refName, m)));
  }
  asArr(binding.subjects).forEach((raw, i) => {
    const s = asObj(raw) ?? {};
    const p = index('subjects', i);
    const name = asStr(s.name);
    if (name === '') {
      errs.push(required(child(p, 'name'), ''));
    }
    switch (s.kind) {
      case 'ServiceAccount':
        if (name !== '') {
          errs.push(...isDNS1123Subdomain(name).map((m) => invalid(child(p, 'name'), name, m)));
        }
        if (asStr(s.apiGroup) !== '') {
          errs.push(notSupported(child(p, 'apiGroup'), asStr(s.apiGroup), ['']));
        }
        if (cluster && asStr(s.namespace) === '') {
          errs.push(required(child(p, 'namespace'), ''));
        }
        break;
      case 'User':
      case 'Group':
        if (asStr(s.apiGroup) !== rbacGroup) {
          errs.push(notSupported(child(p, 'apiGroup'), asStr(s.apiGroup), [rbacGroup]));
        }
        break;
      default:
        errs.push(notSupported(child(p, 'kind'), asStr(s.kind), ['ServiceAccount', 'User', 'Group']));
    }
  });
  if (old !== undefined) {
    const oldRef = asObj(old.roleRef) ?? {};
    if (asStr(oldRef.apiGroup) !== asStr(ref.apiGroup) || asStr(oldRef.kind) !== asStr(ref.kind) || asStr(oldRef.name) !== refName) {
      errs.push(invalid('roleRef', rendered(goRoleRef(ref)), 'cannot change roleRef'));
    }
  }
  return errs;
}
