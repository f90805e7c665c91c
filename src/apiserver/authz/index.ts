/**
 * Authorization for the apiserver: `--authorization-mode` (a comma list, tried in order, first
 * Allow wins; upstream's default for a bare kube-apiserver is AlwaysAllow). Modes: AlwaysAllow,
 * AlwaysDeny, Node (kubelets: see node.ts), RBAC. kubeadm and `k8ts up` run `Node,RBAC`.
 */
import type { Registry } from '../registry/types.ts';
import { NodeAuthorizer } from './node.ts';
import { NodeGraph } from './node-graph.ts';
import { PolicyCache } from './policy-cache.ts';
import { alwaysAllow, RbacAuthorizer } from './rbac.ts';
import { Decision } from './types.ts';
import type { Authorizer, PolicyRule } from './types.ts';

export { authorizeUpgrade } from './upgrade.ts';
export { bootstrapClusterRoleBindings, bootstrapClusterRoles, K8TS_DNS_USER } from './bootstrap-policy.ts';
export { NODES_GROUP } from './node.ts';
export type { Authorizer } from './types.ts';

/** The modes `--authorization-mode` accepts. */
export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

/** Validates a `--authorization-mode` value; returns an error message or undefined. */
export function checkAuthorizationModes(modes: readonly string[]): string | undefined {
  if (modes.length === 0) {
    return 'at least one authorization-mode must be passed';
  }
  for (const m of modes) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(m)) {
      return `authorization-mode "${m}" is not a valid mode`;
    }
  }
  if (new Set(modes).size !== modes.length) {
    return `authorization-mode ${modes.join(',')} has mode specified more than once`;
  }
  return undefined;
}

const alwaysDeny: Authorizer = {
  authorize: () => ({ decision: Decision.NoOpinion, reason: 'Everything is forbidden.' }),
  rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: false }),
};

/** A chain: the first Allow or Deny decides; all NoOpinion is a denial. Rules are the union. */
function union(members: readonly Authorizer[]): Authorizer {
  if (members.length === 1 && members[0] !== undefined) {
    return members[0];
  }
  return {
    authorize(attrs) {
      let reason = '';
      for (const a of members) {
        const r = a.authorize(attrs);
        if (r.decision !== Decision.NoOpinion) {
          return r;
        }
        reason ||= r.reason;
      }
      return { decision: Decision.NoOpinion, reason };
    },
    rulesFor(user, namespace) {
      const resourceRules: PolicyRule[] = [];
      const nonResourceRules: PolicyRule[] = [];
      for (const a of members) {
        const r = a.rulesFor(user, namespace);
        resourceRules.push(...r.resourceRules);
        nonResourceRules.push(...r.nonResourceRules);
      }
      return { resourceRules, nonResourceRules, incomplete: false };
    },
  };
}

/** Builds the authorizer for `modes`; RBAC starts its policy cache and resolves once it is loaded. */
export async function createAuthorizer(modes: readonly AuthorizationMode[], registry: Registry): Promise<{ authorizer: Authorizer; close(): void }> {
  const closers: (() => void)[] = [];
  const members: Authorizer[] = [];
  for (const m of modes) {
    if (m === 'AlwaysAllow') {
      members.push(alwaysAllow);
    } else if (m === 'AlwaysDeny') {
      members.push(alwaysDeny);
    } else if (m === 'Node') {
      const graph = new NodeGraph();
      await graph.start(registry);
      closers.push(() => graph.close());
      members.push(new NodeAuthorizer(undefined, graph));
    } else {
      const cache = new PolicyCache();
      await cache.start(registry);
      closers.push(() => cache.close());
      members.push(new RbacAuthorizer(cache));
    }
  }
  return { authorizer: union(members), close: () => closers.forEach((c) => c()) };
}
