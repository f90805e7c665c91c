/** SelfSubjectAccessReview and SelfSubjectRulesReview answers from the authorizer (`kubectl auth can-i [--list]`). */
import type { UserInfo } from '../registry/types.ts';
import { Decision } from './types.ts';
import type { Attributes, Authorizer } from './types.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The attributes a SubjectAccessReview spec asks about (resourceAttributes or nonResourceAttributes). */
export function reviewAttributes(user: UserInfo, spec: Record<string, unknown>): Attributes {
  const res = spec.resourceAttributes as Record<string, unknown> | undefined;
  if (res !== undefined && res !== null) {
    return {
      user, verb: str(res.verb), resourceRequest: true, apiGroup: str(res.group), apiVersion: str(res.version), resource: str(res.resource),
      subresource: str(res.subresource), namespace: str(res.namespace), name: str(res.name), path: '',
    };
  }
  const non = (spec.nonResourceAttributes ?? {}) as Record<string, unknown>;
  return { user, verb: str(non.verb), resourceRequest: false, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '', path: str(non.path) };
}

/** `status` of a SelfSubjectAccessReview. */
export function accessReviewStatus(authorizer: Authorizer, user: UserInfo, spec: Record<string, unknown>): Record<string, unknown> {
  const result = authorizer.authorize(reviewAttributes(user, spec));
  const status: Record<string, unknown> = { allowed: result.decision === Decision.Allow };
  if (result.decision === Decision.Deny) {
    status.denied = true;
  }
  if (result.reason !== '') {
    status.reason = result.reason;
  }
  return status;
}

/** `status` of a SelfSubjectRulesReview for `namespace`. */
export function rulesReviewStatus(authorizer: Authorizer, user: UserInfo, namespace: string): Record<string, unknown> {
  const rules = authorizer.rulesFor(user, namespace);
  const status: Record<string, unknown> = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
  if (rules.evaluationError !== undefined) {
    status.evaluationError = rules.evaluationError;
  }
  return status;
}
