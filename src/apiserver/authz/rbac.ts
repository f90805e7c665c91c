/**
 * The RBAC authorizer: a request is allowed when some ClusterRoleBinding, or some RoleBinding in
 * the request's namespace, binds the user (by name, group or service account) to a role with a
 * rule that matches. There are no deny rules; anything not allowed is "no opinion", which the
 * chain turns into 403. Members of `system:masters` are allowed everything before RBAC is
 * consulted, as upstream's privileged-group authorizer does (so a broken policy cannot lock the
 * cluster admin out).
 */
import type { UserInfo } from '../registry/types.ts';
import { ruleAllows, splitRules } from './rules.ts';
import { Decision } from './types.ts';
import type { Attributes, AuthorizationResult, Authorizer, PolicyRule, RulesForUser } from './types.ts';

/** The parts of RBAC objects the authorizer reads. */
export interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}
export interface RoleRef {
  readonly kind: string;
  readonly name: string;
}
export interface Binding {
  readonly name: string;
  /** '' for ClusterRoleBindings. */
  readonly namespace: string;
  readonly subjects: readonly Subject[];
  readonly roleRef: RoleRef;
}

/** Where the authorizer reads policy from (the apiserver's watched cache of the RBAC objects). */
export interface PolicySource {
  clusterRoleRules(name: string): readonly PolicyRule[] | undefined;
  roleRules(namespace: string, name: string): readonly PolicyRule[] | undefined;
  clusterRoleBindings(): Iterable<Binding>;
  roleBindings(namespace: string): Iterable<Binding>;
}

/** The group whose members are always allowed (upstream's privileged group). */
export const PRIVILEGED_GROUP = 'system:masters';

/** Whether `s` names `user` (a ServiceAccount subject without namespace takes the binding's). */
export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.username;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace !== undefined && s.namespace !== '' ? s.namespace : bindingNamespace;
      return user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') {
    return `ServiceAccount "${s.namespace ?? bindingNamespace}/${s.name}"`;
  }
  return `${s.kind} "${s.name}"`;
}

/** RBAC over a PolicySource. */
export class RbacAuthorizer implements Authorizer {
  readonly #policy: PolicySource;

  constructor(policy: PolicySource) {
    this.#policy = policy;
  }

  #rulesOf(ref: RoleRef, namespace: string): readonly PolicyRule[] {
    return (ref.kind === 'ClusterRole' ? this.#policy.clusterRoleRules(ref.name) : this.#policy.roleRules(namespace, ref.name)) ?? [];
  }

  /** Each binding that applies to `user` in `namespace` ('' = cluster bindings only), with the matching subject. */
  *#applicable(user: UserInfo, namespace: string): Generator<{ binding: Binding; subject: Subject }> {
    const scopes: Iterable<Binding>[] = [this.#policy.clusterRoleBindings()];
    if (namespace !== '') {
      scopes.push(this.#policy.roleBindings(namespace));
    }
    for (const bindings of scopes) {
      for (const binding of bindings) {
        const subject = binding.subjects.find((s) => subjectMatches(s, user, binding.namespace));
        if (subject !== undefined) {
          yield { binding, subject };
        }
      }
    }
  }

  authorize(a: Attributes): AuthorizationResult {
    if (a.user.groups.includes(PRIVILEGED_GROUP)) {
      return { decision: Decision.Allow, reason: '' };
    }
    for (const { binding, subject } of this.#applicable(a.user, a.namespace)) {
      if (this.#rulesOf(binding.roleRef, binding.namespace).some((r) => ruleAllows(r, a))) {
        const how = binding.namespace === '' ? `ClusterRoleBinding "${binding.name}"` : `RoleBinding "${binding.name}/${binding.namespace}"`;
        return { decision: Decision.Allow, reason: `RBAC: allowed by ${how} of ${binding.roleRef.kind} "${binding.roleRef.name}" to ${describeSubject(subject, binding.namespace)}` };
      }
    }
    return { decision: Decision.NoOpinion, reason: '' };
  }

  rulesFor(user: UserInfo, namespace: string): RulesForUser {
    if (user.groups.includes(PRIVILEGED_GROUP)) {
      return { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false };
    }
    const rules: PolicyRule[] = [];
    for (const { binding } of this.#applicable(user, namespace)) {
      rules.push(...this.#rulesOf(binding.roleRef, binding.namespace));
    }
    return { ...splitRules(rules), incomplete: false };
  }
}

/** `--authorization-mode=AlwaysAllow`: upstream's default for a bare kube-apiserver. */
export const alwaysAllow: Authorizer = {
  authorize: () => ({ decision: Decision.Allow, reason: '' }),
  rulesFor: () => ({ resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }),
};
