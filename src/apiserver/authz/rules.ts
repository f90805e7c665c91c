/**
 * RBAC rule matching, with upstream's semantics: `*` matches any verb, group, resource or path;
 * `resource/subresource` entries match only that subresource and `* /sub` (written `*` + `/sub`)
 * any resource's; resourceNames restrict to named objects (so they never match list/create of a
 * collection); nonResourceURLs match exactly or by a trailing-`*` prefix.
 */
import type { Attributes, PolicyRule } from './types.ts';

/** A resource rule in the order upstream's kubectl output shows its fields. */
export function policyRule(verbs: readonly string[], apiGroups: readonly string[], resources: readonly string[], resourceNames?: readonly string[]): PolicyRule {
  return resourceNames === undefined ? { apiGroups, resources, verbs } : { apiGroups, resourceNames, resources, verbs };
}

const has = (list: readonly string[] | undefined, v: string): boolean => list !== undefined && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const wanted = subresource === '' ? resource : `${resource}/${subresource}`;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === wanted) {
      return true;
    }
    if (subresource !== '' && r === `*/${subresource}`) {
      return true;
    }
  }
  return false;
}

function nameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (name !== '' && names.includes(name));
}

function pathMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1)))) {
      return true;
    }
  }
  return false;
}

/** Whether one rule allows the request. */
export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) {
    return false;
  }
  if (!a.resourceRequest) {
    return pathMatches(rule, a.path);
  }
  return has(rule.apiGroups, a.apiGroup) && resourceMatches(rule, a.resource, a.subresource) && nameMatches(rule, a.name);
}

/** Splits rules into resource rules and non-resource rules (SelfSubjectRulesReview's two lists). */
export function splitRules(rules: readonly PolicyRule[]): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[] } {
  const resourceRules: PolicyRule[] = [];
  const nonResourceRules: PolicyRule[] = [];
  for (const r of rules) {
    if ((r.nonResourceURLs ?? []).length > 0) {
      nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    }
    if ((r.resources ?? []).length > 0) {
      const out: { verbs: readonly string[]; apiGroups: readonly string[]; resources: readonly string[]; resourceNames?: readonly string[] } = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [] };
      if ((r.resourceNames ?? []).length > 0) {
        out.resourceNames = r.resourceNames;
      }
      resourceRules.push(out);
    }
  }
  return { resourceRules, nonResourceRules };
}
