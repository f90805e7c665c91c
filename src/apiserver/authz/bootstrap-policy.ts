/**
 * The default ClusterRoles and ClusterRoleBindings every upstream cluster starts with (the RBAC
 * "bootstrap policy"), as data: the rules mirror upstream's published defaults so that
 * `kubectl get clusterrole view -o yaml` and what a bound user may do match a real cluster.
 * The apiserver creates the missing ones at start; existing ones are left alone (upstream
 * reconciles those annotated `autoupdate: "true"`; k8ts does not yet).
 */
import type { KubeObject } from '../../api/object.ts';
import { controllerRoles, controllerServiceAccount } from './controller-policy.ts';
import { policyRule as rule } from './rules.ts';
import type { PolicyRule } from './types.ts';

/** The ClusterRole (and binding) for `k8ts dns`, and the user its client certificate names. */
export const K8TS_DNS_ROLE = 'system:k8ts-dns';
export const K8TS_DNS_USER = 'system:k8ts-dns';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const ALL_RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const EVENTS_WRITE = ['create', 'patch', 'update'];

const paths = (verbs: readonly string[], urls: readonly string[]): PolicyRule => ({ nonResourceURLs: urls, verbs });

const AGGREGATE = {
  admin: 'rbac.authorization.k8s.io/aggregate-to-admin',
  edit: 'rbac.authorization.k8s.io/aggregate-to-edit',
  view: 'rbac.authorization.k8s.io/aggregate-to-view',
} as const;

const aggregateToView: PolicyRule[] = [
  rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

const aggregateToEdit: PolicyRule[] = [
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(ALL_RW, ['coordination.k8s.io'], ['leases']),
];

const aggregateToAdmin: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(ALL_RW, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
];

const reviews = (...which: string[]): PolicyRule[] => [
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], which),
];

const leaderLease = (name: string): PolicyRule[] => [
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], [name]),
];

interface RoleSpec {
  readonly name: string;
  readonly rules: readonly PolicyRule[];
  readonly labels?: Record<string, string>;
  /** The aggregate-to label this role collects (admin, edit and view are aggregated roles). */
  readonly aggregates?: string;
}

const roles: readonly RoleSpec[] = [
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), paths(['*'], ['*'])] },
  // Stored with the aggregated rules filled in, as upstream's aggregation controller leaves them.
  { name: 'admin', aggregates: AGGREGATE.admin, rules: [...aggregateToAdmin, ...aggregateToEdit, ...aggregateToView] },
  { name: 'edit', aggregates: AGGREGATE.edit, labels: { [AGGREGATE.admin]: 'true' }, rules: [...aggregateToEdit, ...aggregateToView] },
  { name: 'view', aggregates: AGGREGATE.view, labels: { [AGGREGATE.edit]: 'true' }, rules: aggregateToView },
  { name: 'system:aggregate-to-admin', labels: { [AGGREGATE.admin]: 'true' }, rules: aggregateToAdmin },
  { name: 'system:aggregate-to-edit', labels: { [AGGREGATE.edit]: 'true' }, rules: aggregateToEdit },
  { name: 'system:aggregate-to-view', labels: { [AGGREGATE.view]: 'true' }, rules: aggregateToView },
  // metrics-server's role, for the built-in metrics.k8s.io: `view` (and so edit and admin) may read metrics.
  {
    name: 'system:aggregated-metrics-reader',
    labels: { 'k8s-app': 'metrics-server', [AGGREGATE.admin]: 'true', [AGGREGATE.edit]: 'true', [AGGREGATE.view]: 'true' },
    rules: [rule(READ, ['metrics.k8s.io'], ['pods', 'nodes'])],
  },
  { name: 'system:auth-delegator', rules: reviews('subjectaccessreviews') },
  { name: 'system:basic-user', rules: [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])] },
  { name: 'system:discovery', rules: [paths(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])] },
  { name: 'system:public-info-viewer', rules: [paths(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  { name: 'system:monitoring', rules: [paths(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])] },
  { name: 'system:service-account-issuer-discovery', rules: [paths(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])] },
  { name: 'system:kube-dns', rules: [rule(['list', 'watch'], [''], ['endpoints', 'services'])] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      rule(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']), ...leaderLease('kube-controller-manager'),
      rule(['create'], [''], ['secrets', 'serviceaccounts']), rule(['delete'], [''], ['secrets']),
      rule(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']), rule(['update'], [''], ['secrets', 'serviceaccounts']),
      ...reviews('subjectaccessreviews'), rule(['list', 'watch'], ['*'], ['*']), rule(['create'], [''], ['serviceaccounts/token']),
    ],
  },
  {
    name: 'system:kube-scheduler',
    rules: [
      rule(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']), ...leaderLease('kube-scheduler'),
      rule(READ, [''], ['nodes']), rule(['delete', 'get', 'list', 'watch'], [''], ['pods']), rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']), rule(READ, [''], ['replicationcontrollers', 'services']), rule(READ, ['apps', 'extensions'], ['replicasets']),
      rule(READ, ['apps'], ['statefulsets']), rule(READ, ['policy'], ['poddisruptionbudgets']), rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      ...reviews('subjectaccessreviews'), rule(READ, ['storage.k8s.io'], ['csinodes']), rule(READ, [''], ['namespaces']),
      rule(READ, ['storage.k8s.io'], ['csidrivers']), rule(READ, ['storage.k8s.io'], ['csistoragecapacities']),
    ],
  },
  {
    name: 'system:node',
    rules: [
      ...reviews('localsubjectaccessreviews', 'subjectaccessreviews'), rule(READ, [''], ['services']), rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']), rule(['patch', 'update'], [''], ['nodes']), rule(EVENTS_WRITE, [''], ['events']),
      rule(READ, [''], ['pods']), rule(['create', 'delete'], [''], ['pods']), rule(['patch', 'update'], [''], ['pods/status']), rule(['create'], [''], ['pods/eviction']),
      rule(READ, [''], ['configmaps', 'secrets']), rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']), rule(['get'], [''], ['endpoints']),
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']), rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
      rule(['create'], [''], ['serviceaccounts/token']), rule(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
      rule(READ, ['storage.k8s.io'], ['csidrivers']), rule(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
      rule(READ, ['node.k8s.io'], ['runtimeclasses']),
    ],
  },
  {
    name: 'system:node-proxier',
    rules: [rule(['list', 'watch'], [''], ['endpoints', 'services']), rule(READ, [''], ['nodes']), rule(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']), rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])],
  },
  { name: 'system:node-bootstrapper', rules: [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
  { name: 'system:kubelet-api-admin', rules: [rule(READ, [''], ['nodes']), rule(['proxy'], [''], ['nodes']), rule(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats'])] },
  {
    name: 'system:volume-scheduler',
    rules: [rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']), rule(READ, ['storage.k8s.io'], ['storageclasses']), rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims'])],
  },
  // k8ts's own (as k3s adds system:k3s-controller): `k8ts dns` serves from Services and
  // EndpointSlices and publishes the kube-dns Service and its EndpointSlice itself.
  {
    name: K8TS_DNS_ROLE,
    rules: [
      rule(['list', 'watch'], [''], ['endpoints', 'services']), rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      rule(['create', 'get'], [''], ['services']), rule(['create', 'delete', 'get', 'update'], ['discovery.k8s.io'], ['endpointslices']), rule(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']),
    ],
  },
  ...controllerRoles(),
];

type SubjectSpec = { readonly kind: 'User' | 'Group' | 'ServiceAccount'; readonly name: string; readonly namespace?: string };
const user = (name: string): SubjectSpec => ({ kind: 'User', name });
const group = (name: string): SubjectSpec => ({ kind: 'Group', name });

const bindings: readonly { readonly name: string; readonly subjects: readonly SubjectSpec[] }[] = [
  { name: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:monitoring', subjects: [group('system:monitoring')] },
  { name: 'system:service-account-issuer-discovery', subjects: [group('system:serviceaccounts')] },
  { name: 'system:kube-controller-manager', subjects: [user('system:kube-controller-manager')] },
  { name: 'system:kube-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:volume-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:node-proxier', subjects: [user('system:kube-proxy')] },
  { name: 'system:kube-dns', subjects: [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }] },
  { name: K8TS_DNS_ROLE, subjects: [user(K8TS_DNS_USER)] },
  ...controllerRoles().map((r) => ({ name: r.name, subjects: [{ kind: 'ServiceAccount' as const, name: controllerServiceAccount(r.name), namespace: 'kube-system' }] })),
];

const defaultMetadata = (name: string, labels: Record<string, string> = {}): KubeObject['metadata'] => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

/** The rules of the `system:node` ClusterRole (what upstream's Node authorizer grants a node). */
export function nodeRules(): readonly PolicyRule[] {
  return roles.find((r) => r.name === 'system:node')?.rules ?? [];
}

/** The default ClusterRoles, as objects to create. */
export function bootstrapClusterRoles(): KubeObject[] {
  return roles.map((r) => {
    const obj: KubeObject & { rules: readonly PolicyRule[]; aggregationRule?: unknown } = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: defaultMetadata(r.name, r.labels), rules: r.rules,
    };
    if (r.aggregates !== undefined) {
      obj.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [r.aggregates]: 'true' } }] };
    }
    return obj;
  });
}

/** The default ClusterRoleBindings, as objects to create. */
export function bootstrapClusterRoleBindings(): KubeObject[] {
  return bindings.map((b) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: defaultMetadata(b.name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.name },
    subjects: b.subjects.map((s) => (s.kind === 'ServiceAccount' ? { kind: s.kind, name: s.name, namespace: s.namespace } : { apiGroup: 'rbac.authorization.k8s.io', kind: s.kind, name: s.name })),
  }));
}
