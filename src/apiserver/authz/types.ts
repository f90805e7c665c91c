/** The authorizer's inputs and answers (upstream's authorizer.Attributes and Decision). */
import type { UserInfo } from '../registry/types.ts';

/** What a request asks to do, derived from its method and path (upstream's RequestInfo). */
export interface Attributes {
  readonly user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection (resources); lower-case HTTP method (paths). */
  readonly verb: string;
  readonly resourceRequest: boolean;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly resource: string;
  readonly subresource: string;
  /** '' for cluster-scoped requests and cluster-wide lists. */
  readonly namespace: string;
  readonly name: string;
  /** The URL path, for non-resource requests. */
  readonly path: string;
}

export const Decision = { Allow: 'Allow', Deny: 'Deny', NoOpinion: 'NoOpinion' } as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/** One authorizer's answer; `reason` is shown in SubjectAccessReview status. */
export interface AuthorizationResult {
  readonly decision: Decision;
  readonly reason: string;
}

/** A policy rule (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** The rules that apply to a user in a namespace, for SelfSubjectRulesReview. */
export interface RulesForUser {
  readonly resourceRules: readonly PolicyRule[];
  readonly nonResourceRules: readonly PolicyRule[];
  readonly incomplete: boolean;
  readonly evaluationError?: string;
}

/** An authorizer in the chain (`--authorization-mode=RBAC` or `AlwaysAllow`). */
export interface Authorizer {
  authorize(attrs: Attributes): AuthorizationResult;
  rulesFor(user: UserInfo, namespace: string): RulesForUser;
}
