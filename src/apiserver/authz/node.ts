/**
 * `--authorization-mode=Node`: upstream's Node authorizer for kubelets. A request from a node
 * identity (user `system:node:<name>` in group `system:nodes`) is allowed when the `system:node`
 * role's rules allow it; anything else gets no opinion (the next mode, usually RBAC, decides).
 *
 * Not implemented: upstream's graph restriction (a node may read only the secrets, configmaps,
 * volumes and service-account tokens of pods bound to it). What is kept is its cheap half: those
 * objects can be read one by name only (a get, or a list/watch narrowed by
 * `fieldSelector=metadata.name=`), never listed wholesale.
 */
import type { UserInfo } from '../registry/types.ts';
import { nodeRules } from './bootstrap-policy.ts';
import { ruleAllows, splitRules } from './rules.ts';
import { Decision } from './types.ts';
import type { Attributes, AuthorizationResult, Authorizer, PolicyRule, RulesForUser } from './types.ts';

/** The group every node's credentials carry. */
export const NODES_GROUP = 'system:nodes';
const NODE_USER_PREFIX = 'system:node:';

/** The node name of a node identity, or undefined when `user` is not a node. */
export function nodeName(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.username.startsWith(NODE_USER_PREFIX)) {
    return undefined;
  }
  const name = user.username.slice(NODE_USER_PREFIX.length);
  return name === '' ? undefined : name;
}

// Resources upstream authorizes through the node graph; here: by name only.
const graphResources = new Set(['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']);

/** The Node authorizer. */
export class NodeAuthorizer implements Authorizer {
  readonly #rules: readonly PolicyRule[];

  constructor(rules: readonly PolicyRule[] = nodeRules()) {
    this.#rules = rules;
  }

  authorize(a: Attributes): AuthorizationResult {
    const node = nodeName(a.user);
    if (node === undefined) {
      return { decision: Decision.NoOpinion, reason: '' };
    }
    if (a.resourceRequest && a.apiGroup === '' && a.subresource === '' && graphResources.has(a.resource) && a.name === '') {
      return { decision: Decision.NoOpinion, reason: 'can only get individual resources of this type' };
    }
    if (this.#rules.some((r) => ruleAllows(r, a))) {
      return { decision: Decision.Allow, reason: '' };
    }
    return { decision: Decision.NoOpinion, reason: '' };
  }

  rulesFor(user: UserInfo): RulesForUser {
    if (nodeName(user) === undefined) {
      return { resourceRules: [], nonResourceRules: [], incomplete: false };
    }
    return { ...splitRules([...this.#rules]), incomplete: false };
  }
}
