/**
 * `--authorization-mode=Node`: upstream's Node authorizer for kubelets. A request from a node
 * identity (user `system:node:<name>` in group `system:nodes`) is allowed when the `system:node`
 * role's rules allow it; anything else gets no opinion (the next mode, usually RBAC, decides).
 *
 * Secrets, configmaps, PVCs and PVs are read one by name only (a get, or a list/watch narrowed by
 * `fieldSelector=metadata.name=`), never listed wholesale, and only when the node graph
 * (node-graph.ts) says a pod bound to the node uses them; service-account tokens likewise only
 * for service accounts of the node's pods. Anything else gets no opinion: with RBAC next, a
 * node reading another node's secret is forbidden, as upstream.
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

// Resources upstream authorizes through the node graph.
const graphResources = new Set(['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']);
const readVerbs = new Set(['get', 'list', 'watch']);

/** What the authorizer asks the graph. */
export interface NodeRelations {
  references(node: string, resource: string, namespace: string, name: string): boolean;
  /** The node a pod is bound to ('' unbound); undefined when not seen (yet). */
  podNode(namespace: string, name: string): string | undefined;
}

const writeVerbs = new Set(['update', 'patch', 'delete']);

/**
 * Upstream's NodeRestriction, for what the request alone decides: a node writes only its own Node
 * and Lease, and the status, deletion and eviction of pods bound to it. A pod the graph has not
 * seen yet (a mirror pod created a moment ago) is left to the registry.
 */
function restriction(node: string, a: Attributes, graph: NodeRelations | undefined): string | undefined {
  if (!a.resourceRequest) {
    return undefined;
  }
  if (a.apiGroup === '' && a.resource === 'nodes' && writeVerbs.has(a.verb) && a.name !== '' && a.name !== node) {
    return `node '${node}' is not allowed to modify node '${a.name}'`;
  }
  if (a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases' && a.namespace === 'kube-node-lease' && writeVerbs.has(a.verb) && a.name !== '' && a.name !== node) {
    return 'can only access node lease with the same name as the requesting node';
  }
  const podWrite = (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) || (a.subresource === '' && a.verb === 'delete') || (a.subresource === 'eviction' && a.verb === 'create');
  if (a.apiGroup === '' && a.resource === 'pods' && podWrite && graph !== undefined) {
    const bound = graph.podNode(a.namespace, a.name);
    if (bound !== undefined && bound !== node) {
      return `node '${node}' can only ${a.subresource === '' ? 'delete' : a.subresource === 'status' ? 'update the status of' : 'evict'} pods with spec.nodeName set to itself`;
    }
  }
  return undefined;
}

/** The Node authorizer. */
export class NodeAuthorizer implements Authorizer {
  readonly #rules: readonly PolicyRule[];
  readonly #graph: NodeRelations | undefined;

  /** Without a graph, graph resources are still read by name only, but from any node (unit tests). */
  constructor(rules: readonly PolicyRule[] = nodeRules(), graph?: NodeRelations) {
    this.#rules = rules;
    this.#graph = graph;
  }

  authorize(a: Attributes): AuthorizationResult {
    const node = nodeName(a.user);
    if (node === undefined) {
      return { decision: Decision.NoOpinion, reason: '' };
    }
    if (a.resourceRequest && a.apiGroup === '' && a.subresource === '' && graphResources.has(a.resource)) {
      if (a.name === '') {
        return { decision: Decision.NoOpinion, reason: 'can only get individual resources of this type' };
      }
      if (readVerbs.has(a.verb) && this.#graph !== undefined && !this.#graph.references(node, a.resource, a.namespace, a.name)) {
        return { decision: Decision.NoOpinion, reason: `no relationship found between node '${node}' and this object` };
      }
    }
    const restricted = restriction(node, a, this.#graph);
    if (restricted !== undefined) {
      return { decision: Decision.NoOpinion, reason: restricted };
    }
    if (a.resourceRequest && a.apiGroup === '' && a.resource === 'serviceaccounts' && a.subresource === 'token' && this.#graph !== undefined && !this.#graph.references(node, 'serviceaccounts', a.namespace, a.name)) {
      return { decision: Decision.NoOpinion, reason: `no relationship found between node '${node}' and this object` };
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
