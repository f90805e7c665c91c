/**
 * RBAC privilege-escalation prevention, as upstream's RBAC storage enforces it: a user may only
 * create or change a Role/ClusterRole whose rules they already hold (or with the `escalate`
 * verb on it), and only bind a role whose rules they already hold (or with the `bind` verb on
 * it). Members of system:masters may do anything. Without this, anyone allowed to write
 * RoleBindings could grant themselves cluster-admin.
 */
import { StatusError, StatusReason } from '../../api/errors.ts';
import type { UserInfo } from '../registry/types.ts';
import { PRIVILEGED_GROUP } from './rbac.ts';
import { ruleAllows } from './rules.ts';
import { Decision } from './types.ts';
import type { Attributes, Authorizer, PolicyRule } from './types.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** One verb on one group/resource (optionally one name), or one verb on one non-resource URL. */
type AtomicRule = PolicyRule;

/** Every rule split into single-verb, single-target rules (upstream's BreakdownRule). */
function breakdown(rule: PolicyRule): AtomicRule[] {
  const out: AtomicRule[] = [];
  for (const verb of rule.verbs) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) {
          out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        } else {
          for (const name of names) {
            out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
          }
        }
      }
    }
    for (const url of rule.nonResourceURLs ?? []) {
      out.push({ verbs: [verb], nonResourceURLs: [url] });
    }
  }
  return out;
}

/**
 * Whether one of the owner's rules covers an atomic rule: upstream's ruleCovers on a broken-down
 * rule is exactly the authorizer asking whether that single request would be allowed.
 */
function covered(owner: readonly PolicyRule[], r: AtomicRule, user: UserInfo): boolean {
  const url = r.nonResourceURLs?.[0];
  const [resource = '', subresource = ''] = (r.resources?.[0] ?? '').split('/');
  const attrs: Attributes = {
    user, verb: r.verbs[0] ?? '', resourceRequest: url === undefined, apiGroup: r.apiGroups?.[0] ?? '', apiVersion: '*',
    resource, subresource, namespace: '', name: r.resourceNames?.[0] ?? '', path: url ?? '',
  };
  return owner.some((o) => ruleAllows(o, attrs));
}

/** Atomic rules that differ only in their verb merged back into one (upstream's CompactRules). */
function compact(rules: readonly AtomicRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, { verbs: string[]; apiGroups: string[]; resources: string[] }>();
  for (const r of rules) {
    if (r.nonResourceURLs !== undefined || r.resourceNames !== undefined) {
      out.push(r);
      continue;
    }
    const key = `${r.apiGroups?.[0] ?? ''}\u0000${r.resources?.[0] ?? ''}`;
    const seen = simple.get(key);
    if (seen === undefined) {
      const merged = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])] };
      simple.set(key, merged);
      out.push(merged);
    } else if (!seen.verbs.includes(r.verbs[0] ?? '')) {
      seen.verbs.push(r.verbs[0] ?? '');
    }
  }
  return out;
}

/** Go's %q of a []string: `["a" "b"]`. */
function quotedList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** A rule as upstream's CompactString prints it. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if ((r.apiGroups ?? []).length > 0) {
    parts.push(`APIGroups:${quotedList(r.apiGroups ?? [])}`);
  }
  if ((r.resources ?? []).length > 0) {
    parts.push(`Resources:${quotedList(r.resources ?? [])}`);
  }
  if ((r.nonResourceURLs ?? []).length > 0) {
    parts.push(`NonResourceURLs:${quotedList(r.nonResourceURLs ?? [])}`);
  }
  if ((r.resourceNames ?? []).length > 0) {
    parts.push(`ResourceNames:${quotedList(r.resourceNames ?? [])}`);
  }
  if (r.verbs.length > 0) {
    parts.push(`Verbs:${quotedList(r.verbs)}`);
  }
  return `{${parts.join(', ')}}`;
}

/** The granted rules the owner does not hold, compacted and printed, sorted (empty: nothing escalates). */
export function missingRules(owner: readonly PolicyRule[], granted: readonly PolicyRule[], user: UserInfo): string[] {
  const missing = granted.flatMap(breakdown).filter((r) => !covered(owner, r, user));
  return [...new Set(compact(missing).map(compactString))].sort();
}

/** What an escalation check needs from the request. */
export interface EscalationRequest {
  readonly authorizer: Authorizer;
  readonly user: UserInfo;
  /** roles, clusterroles, rolebindings or clusterrolebindings. */
  readonly resource: string;
  /** '' for the cluster-scoped kinds. */
  readonly namespace: string;
  readonly name: string;
}

function allowed(req: EscalationRequest, verb: string, resource: string, name: string): boolean {
  const attrs: Attributes = { user: req.user, verb, resourceRequest: true, apiGroup: RBAC_GROUP, apiVersion: '*', resource, subresource: '', namespace: req.namespace, name, path: '' };
  return req.authorizer.authorize(attrs).decision === Decision.Allow;
}

function forbidden(req: EscalationRequest, message: string): StatusError {
  return new StatusError(403, StatusReason.Forbidden, `${req.resource}.${RBAC_GROUP} "${req.name}" is forbidden: ${message}`, { group: RBAC_GROUP, kind: req.resource, name: req.name });
}

function confirmNoEscalation(req: EscalationRequest, granted: readonly PolicyRule[]): void {
  const held = req.authorizer.rulesFor(req.user, req.namespace);
  const missing = missingRules([...held.resourceRules, ...held.nonResourceRules], granted, req.user);
  if (missing.length > 0) {
    throw forbidden(req, `user ${JSON.stringify(req.user.username)} (groups=${quotedList(req.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing.join('\n')}`);
  }
}

/** A Role/ClusterRole write: its rules must be held, unless the user may `escalate`. */
export function checkRoleWrite(req: EscalationRequest, rules: readonly PolicyRule[], aggregation: boolean): void {
  if (req.user.groups.includes(PRIVILEGED_GROUP) || allowed(req, 'escalate', req.resource, req.name)) {
    return;
  }
  if (aggregation) {
    throw forbidden(req, 'must have cluster-admin privileges to use the aggregationRule');
  }
  confirmNoEscalation(req, rules);
}

/** A RoleBinding/ClusterRoleBinding write: the referenced role's rules must be held, unless the user may `bind` it. */
export function checkBindingWrite(req: EscalationRequest, roleRef: { kind: string; name: string }, roleRules: () => Promise<readonly PolicyRule[]>): Promise<void> | undefined {
  if (req.user.groups.includes(PRIVILEGED_GROUP)) {
    return undefined;
  }
  const roleResource = roleRef.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
  if (allowed(req, 'bind', roleResource, roleRef.name)) {
    return undefined;
  }
  return roleRules().then((rules) => confirmNoEscalation(req, rules));
}
