/**
 * The create-only review endpoints kubectl needs that are not stored objects:
 * authorization.k8s.io/v1 selfsubjectaccessreviews (`kubectl auth can-i`) and
 * selfsubjectrulesreviews (`can-i --list`), both answered by the configured authorizer, and
 * authentication.k8s.io/v1 selfsubjectreviews (`kubectl auth whoami`).
 */
import { invalid } from '../../api/errors.ts';
import { accessReviewStatus, rulesReviewStatus } from '../authz/reviews.ts';
import type { Authorizer } from '../authz/types.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import type { UserInfo } from '../registry/types.ts';

const createOnly = (group: string, version: string, kind: string, resource: string, singular: string): ResourceDescription => ({
  group, version, kind, listKind: `${kind}List`, resource, singular, namespaced: false, shortNames: [], categories: [], verbs: ['create'],
  subresources: [], hasStatus: false, bumpsGeneration: false, fieldSelectors: {},
});

/** Discovery entries for the review resources served here. */
export const reviewResources: readonly ResourceDescription[] = [
  createOnly('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', 'selfsubjectreview'),
  createOnly('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', 'selfsubjectaccessreview'),
  createOnly('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', 'selfsubjectrulesreview'),
];

/** Whether group/version/resource is one of the review endpoints. */
export function isReviewResource(group: string, version: string, resource: string): ResourceDescription | undefined {
  return reviewResources.find((r) => r.group === group && r.version === version && r.resource === resource);
}

function userInfoJson(user: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { username: user.username };
  if (user.uid !== undefined && user.uid !== '') {
    out.uid = user.uid;
  }
  out.groups = [...user.groups];
  if (user.extra !== undefined && Object.keys(user.extra).length > 0) {
    out.extra = user.extra;
  }
  return out;
}

/** Answers a review create: the review with its status filled in. */
export function answerReview(desc: ResourceDescription, body: Record<string, unknown>, user: UserInfo, authorizer: Authorizer): Record<string, unknown> {
  const metadata = typeof body.metadata === 'object' && body.metadata !== null ? { ...(body.metadata as Record<string, unknown>) } : {};
  metadata.creationTimestamp ??= null;
  const base = { kind: desc.kind, apiVersion: `${desc.group}/${desc.version}`, metadata };
  if (desc.resource === 'selfsubjectreviews') {
    return { ...base, status: { userInfo: userInfoJson(user) } };
  }
  if (desc.resource === 'selfsubjectrulesreviews') {
    const spec = typeof body.spec === 'object' && body.spec !== null ? (body.spec as Record<string, unknown>) : {};
    return { ...base, spec, status: rulesReviewStatus(authorizer, user, typeof spec.namespace === 'string' ? spec.namespace : '') };
  }
  const spec = typeof body.spec === 'object' && body.spec !== null ? (body.spec as Record<string, unknown>) : undefined;
  if (spec === undefined || (spec.resourceAttributes === undefined && spec.nonResourceAttributes === undefined)) {
    throw invalid('authorization.k8s.io', 'SelfSubjectAccessReview', '', [{ type: 'FieldValueInvalid', field: 'spec.resourceAttributes', message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
  }
  return { ...base, spec, status: accessReviewStatus(authorizer, user, spec) };
}
