import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RbacAuthorizer } from './rbac.ts';
import type { Binding, PolicySource } from './rbac.ts';
import { ruleAllows } from './rules.ts';
import { Decision } from './types.ts';
import type { Attributes, PolicyRule } from './types.ts';

const jane = { username: 'jane', groups: ['devs', 'system:authenticated'] };

function attrs(over: Partial<Attributes>): Attributes {
  return { user: jane, verb: 'get', resourceRequest: true, apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: '', path: '', ...over };
}

test('rules: verbs, groups, subresources, resourceNames and path prefixes follow upstream', () => {
  const r: PolicyRule = { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments', '*/scale'] };
  assert.equal(ruleAllows(r, attrs({ apiGroup: 'apps', resource: 'deployments', verb: 'list' })), true);
  assert.equal(ruleAllows(r, attrs({ apiGroup: 'apps', resource: 'deployments', verb: 'delete' })), false);
  assert.equal(ruleAllows(r, attrs({ apiGroup: '', resource: 'deployments' })), false);
  // `deployments` does not cover its subresources; `*/scale` covers every resource's scale.
  assert.equal(ruleAllows(r, attrs({ apiGroup: 'apps', resource: 'deployments', subresource: 'status' })), false);
  assert.equal(ruleAllows(r, attrs({ apiGroup: 'apps', resource: 'replicasets', subresource: 'scale' })), true);
  const named: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] };
  assert.equal(ruleAllows(named, attrs({ resource: 'configmaps', name: 'cfg' })), true);
  assert.equal(ruleAllows(named, attrs({ resource: 'configmaps', name: 'other' })), false);
  // A collection request has no name, so a resourceNames rule never allows it.
  assert.equal(ruleAllows(named, attrs({ resource: 'configmaps', verb: 'list' })), false);
  const urls: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.equal(ruleAllows(urls, attrs({ resourceRequest: false, path: '/apis/apps/v1' })), true);
  assert.equal(ruleAllows(urls, attrs({ resourceRequest: false, path: '/healthz/etcd' })), false);
  assert.equal(ruleAllows(urls, attrs({ resourceRequest: false, path: '/healthz', verb: 'post' })), false);
});

function source(opts: { clusterRoles?: Record<string, PolicyRule[]>; roles?: Record<string, PolicyRule[]>; clusterBindings?: Binding[]; roleBindings?: Binding[] }): PolicySource {
  return {
    clusterRoleRules: (n) => opts.clusterRoles?.[n],
    roleRules: (ns, n) => opts.roles?.[`${ns}/${n}`],
    clusterRoleBindings: () => opts.clusterBindings ?? [],
    roleBindings: (ns) => (opts.roleBindings ?? []).filter((b) => b.namespace === ns),
  };
}

const podReader: PolicyRule[] = [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }];

test('rbac: a RoleBinding to a ClusterRole grants it in that namespace only', () => {
  const a = new RbacAuthorizer(source({
    clusterRoles: { 'pod-reader': podReader },
    roleBindings: [{ name: 'rb', namespace: 'team', subjects: [{ kind: 'User', name: 'jane' }], roleRef: { kind: 'ClusterRole', name: 'pod-reader' } }],
  }));
  const inTeam = a.authorize(attrs({ namespace: 'team', verb: 'list' }));
  assert.equal(inTeam.decision, Decision.Allow);
  assert.equal(inTeam.reason, 'RBAC: allowed by RoleBinding "rb/team" of ClusterRole "pod-reader" to User "jane"');
  assert.equal(a.authorize(attrs({ namespace: 'default', verb: 'list' })).decision, Decision.NoOpinion);
  assert.equal(a.authorize(attrs({ namespace: '', verb: 'list' })).decision, Decision.NoOpinion);
  assert.equal(a.authorize(attrs({ namespace: 'team', verb: 'delete' })).decision, Decision.NoOpinion);
});

test('rbac: group subjects, service accounts (binding namespace by default), roles, and system:masters', () => {
  const a = new RbacAuthorizer(source({
    roles: { 'ns1/reader': podReader },
    clusterRoles: { everything: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] },
    clusterBindings: [{ name: 'devs', namespace: '', subjects: [{ kind: 'Group', name: 'devs' }], roleRef: { kind: 'ClusterRole', name: 'everything' } }],
    roleBindings: [{ name: 'sa', namespace: 'ns1', subjects: [{ kind: 'ServiceAccount', name: 'bot' }], roleRef: { kind: 'Role', name: 'reader' } }],
  }));
  assert.equal(a.authorize(attrs({ namespace: '', resource: 'nodes', verb: 'delete' })).decision, Decision.Allow);
  const bot = { username: 'system:serviceaccount:ns1:bot', groups: ['system:serviceaccounts'] };
  assert.equal(a.authorize(attrs({ user: bot, namespace: 'ns1' })).decision, Decision.Allow);
  assert.equal(a.authorize(attrs({ user: { ...bot, username: 'system:serviceaccount:ns2:bot' }, namespace: 'ns1' })).decision, Decision.NoOpinion);
  assert.equal(a.authorize(attrs({ user: bot, namespace: 'ns1', resource: 'secrets' })).decision, Decision.NoOpinion);
  const admin = { username: 'someone', groups: ['system:masters'] };
  assert.equal(a.authorize(attrs({ user: admin, resource: 'anything', verb: 'escalate' })).decision, Decision.Allow);
  const rules = a.rulesFor(bot, 'ns1');
  assert.deepEqual(rules.resourceRules, [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]);
  assert.deepEqual(a.rulesFor(bot, 'ns2').resourceRules, []);
});

test('Node mode: node identities get the system:node rules, secrets by name only; others no opinion', async () => {
  const { NodeAuthorizer } = await import('./node.ts');
  const node = new NodeAuthorizer();
  const kubelet = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  const as = (user: typeof kubelet, over: Partial<Attributes>): string => node.authorize(attrs({ user, ...over })).decision;
  assert.equal(as(kubelet, { verb: 'watch', resource: 'pods', namespace: '' }), Decision.Allow);
  assert.equal(as(kubelet, { verb: 'patch', resource: 'nodes', subresource: 'status', namespace: '', name: 'n1' }), Decision.Allow);
  assert.equal(as(kubelet, { verb: 'create', resource: 'serviceaccounts', subresource: 'token', name: 'default' }), Decision.Allow);
  assert.equal(as(kubelet, { verb: 'get', resource: 'secrets', name: 's' }), Decision.Allow);
  assert.equal(as(kubelet, { verb: 'list', resource: 'secrets' }), Decision.NoOpinion);
  assert.equal(as(kubelet, { verb: 'create', apiGroup: 'apps', resource: 'deployments' }), Decision.NoOpinion);
  // The group alone, or the name alone, is not a node.
  assert.equal(as({ username: 'system:node:n1', groups: [] }, { verb: 'list', resource: 'pods' }), Decision.NoOpinion);
  assert.equal(as({ username: 'jane', groups: ['system:nodes'] }, { verb: 'list', resource: 'pods' }), Decision.NoOpinion);
});

test('bootstrap policy: controller roles carry the upstream rules and are bound to their kube-system service accounts', async () => {
  const { bootstrapClusterRoleBindings, bootstrapClusterRoles } = await import('./bootstrap-policy.ts');
  const roles = new Map(bootstrapClusterRoles().map((r) => [r.metadata.name, r as unknown as { rules: PolicyRule[] }]));
  const deployment = roles.get('system:controller:deployment-controller');
  assert.ok(deployment !== undefined);
  assert.deepEqual(deployment.rules[0], { apiGroups: ['extensions', 'apps'], resources: ['deployments'], verbs: ['get', 'list', 'update', 'watch'] });
  const gc = bootstrapClusterRoleBindings().find((b) => b.metadata.name === 'system:controller:generic-garbage-collector') as unknown as { subjects: unknown[]; roleRef: { name: string } };
  assert.deepEqual(gc.subjects, [{ kind: 'ServiceAccount', name: 'generic-garbage-collector', namespace: 'kube-system' }]);
  assert.equal(gc.roleRef.name, 'system:controller:generic-garbage-collector');
});
