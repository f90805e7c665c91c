/**
 * Upstream's controller roles: one `system:controller:<sa>` ClusterRole per controller, bound to
 * the ServiceAccount `kube-system/<sa>` that kube-controller-manager's controllers authenticate
 * as with `--use-service-account-credentials`. Rules mirror upstream's bootstrap policy
 * (controller_policy.go) for the controllers k8ts has plus the common always-on ones.
 */
import type { PolicyRule } from './types.ts';

/** The ClusterRole name prefix of controller roles (upstream's saRolePrefix). */
export const CONTROLLER_ROLE_PREFIX = 'system:controller:';

/** A rule with verbs, resources and names sorted, as upstream's rule builder stores them. */
function r(verbs: readonly string[], apiGroups: readonly string[], resources: readonly string[], resourceNames?: readonly string[]): PolicyRule {
  const sorted = (l: readonly string[]): string[] => [...l].sort();
  return resourceNames === undefined
    ? { apiGroups, resources: sorted(resources), verbs: sorted(verbs) }
    : { apiGroups, resourceNames: sorted(resourceNames), resources: sorted(resources), verbs: sorted(verbs) };
}

const core = [''];
const apps = ['apps'];
const appsExt = ['extensions', 'apps'];
const batch = ['batch'];
const events = r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

/** service-account name (without the prefix) → rules. */
const controllerRules: Readonly<Record<string, readonly PolicyRule[]>> = {
  'horizontal-pod-autoscaler': [
    r(['get', 'list', 'watch'], ['autoscaling'], ['horizontalpodautoscalers']), r(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
    r(['get', 'update'], ['*'], ['*/scale']), r(['list'], core, ['pods']), r(['list'], ['metrics.k8s.io'], ['pods']),
    r(['get', 'list'], ['custom.metrics.k8s.io'], ['*']), r(['get', 'list'], ['external.metrics.k8s.io'], ['*']), events,
  ],
  'certificate-controller': [
    r(['get', 'list', 'watch', 'delete'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    r(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
    r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    r(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown', 'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
    r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']), events,
  ],
  'clusterrole-aggregation-controller': [r(['escalate', 'get', 'list', 'watch', 'update', 'patch'], ['rbac.authorization.k8s.io'], ['clusterroles'])],
  'cronjob-controller': [
    r(['get', 'list', 'watch', 'update'], batch, ['cronjobs']), r(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], batch, ['jobs']),
    r(['update'], batch, ['cronjobs/status']), r(['update'], batch, ['cronjobs/finalizers']), r(['list', 'watch', 'delete'], core, ['pods']), events,
  ],
  'daemon-set-controller': [
    r(['get', 'list', 'watch'], appsExt, ['daemonsets']), r(['update'], appsExt, ['daemonsets/status']), r(['update'], appsExt, ['daemonsets/finalizers']),
    r(['list', 'watch'], core, ['nodes']), r(['list', 'watch', 'create', 'delete', 'patch'], core, ['pods']), r(['create'], core, ['pods/binding']),
    r(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], apps, ['controllerrevisions']), events,
  ],
  'deployment-controller': [
    r(['get', 'list', 'watch', 'update'], appsExt, ['deployments']), r(['update'], appsExt, ['deployments/status']), r(['update'], appsExt, ['deployments/finalizers']),
    r(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['apps', 'extensions'], ['replicasets']), r(['get', 'list', 'watch', 'update'], core, ['pods']), events,
  ],
  'disruption-controller': [
    r(['get', 'list', 'watch'], appsExt, ['deployments']), r(['get', 'list', 'watch'], ['apps', 'extensions'], ['replicasets']), r(['get', 'list', 'watch'], core, ['replicationcontrollers']),
    r(['get', 'list', 'watch'], ['policy'], ['poddisruptionbudgets']), r(['get', 'list', 'watch'], apps, ['statefulsets']), r(['update'], ['policy'], ['poddisruptionbudgets/status']),
    r(['patch', 'update'], core, ['pods/status']), r(['get'], ['*'], ['*/scale']), events,
  ],
  'endpoint-controller': [
    r(['get', 'list', 'watch'], core, ['services', 'pods']), r(['get', 'list', 'watch', 'create', 'update', 'delete'], core, ['endpoints']), r(['create'], core, ['endpoints/restricted']), events,
  ],
  'endpointslice-controller': [
    r(['get', 'list', 'watch'], core, ['services', 'pods', 'nodes']), r(['update'], core, ['services/finalizers']),
    r(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']), events,
  ],
  'endpointslicemirroring-controller': [
    r(['get', 'list', 'watch'], core, ['services', 'endpoints']), r(['update'], core, ['services/finalizers']), r(['update'], core, ['endpoints/finalizers']),
    r(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']), events,
  ],
  'generic-garbage-collector': [r(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']), events],
  'job-controller': [
    r(['get', 'list', 'watch', 'update', 'patch'], batch, ['jobs']), r(['update'], batch, ['jobs/status']), r(['update'], batch, ['jobs/finalizers']),
    r(['list', 'watch', 'create', 'delete', 'patch'], core, ['pods']), events,
  ],
  'namespace-controller': [
    r(['get', 'list', 'watch', 'delete'], core, ['namespaces']), r(['update'], core, ['namespaces/finalize', 'namespaces/status']),
    r(['get', 'list', 'watch', 'delete', 'deletecollection'], ['*'], ['*']),
  ],
  'node-controller': [
    r(['get', 'list', 'watch', 'update', 'delete', 'patch'], core, ['nodes']), r(['patch', 'update'], core, ['nodes/status']),
    r(['patch', 'update'], core, ['pods/status']), r(['list', 'watch', 'get', 'delete'], core, ['pods']), events,
  ],
  'pod-garbage-collector': [r(['list', 'watch', 'delete'], core, ['pods']), r(['get', 'list', 'watch'], core, ['nodes']), r(['patch'], core, ['pods/status'])],
  'replicaset-controller': [
    r(['get', 'list', 'watch', 'update'], ['apps', 'extensions'], ['replicasets']), r(['update'], ['apps', 'extensions'], ['replicasets/status']),
    r(['update'], ['apps', 'extensions'], ['replicasets/finalizers']), r(['list', 'watch', 'patch', 'create', 'delete'], core, ['pods']), events,
  ],
  'replication-controller': [
    r(['get', 'list', 'watch', 'update'], core, ['replicationcontrollers']), r(['update'], core, ['replicationcontrollers/status']),
    r(['update'], core, ['replicationcontrollers/finalizers']), r(['list', 'watch', 'patch', 'create', 'delete'], core, ['pods']), events,
  ],
  'resourcequota-controller': [r(['list', 'watch'], ['*'], ['*']), r(['update'], core, ['resourcequotas/status']), events],
  'route-controller': [r(['list', 'watch'], core, ['nodes']), r(['patch'], core, ['nodes/status']), events],
  'service-account-controller': [r(['create'], core, ['serviceaccounts']), events],
  'service-controller': [r(['get', 'list', 'watch'], core, ['services']), r(['patch', 'update'], core, ['services/status']), r(['list', 'watch'], core, ['nodes']), events],
  'statefulset-controller': [
    r(['list', 'watch'], core, ['pods']), r(['get', 'list', 'watch'], apps, ['statefulsets']), r(['update'], apps, ['statefulsets/status']), r(['update'], apps, ['statefulsets/finalizers']),
    r(['get', 'create', 'delete', 'update', 'patch'], core, ['pods']), r(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], apps, ['controllerrevisions']),
    r(['get', 'create', 'list', 'watch'], core, ['persistentvolumeclaims']), r(['update', 'delete'], core, ['persistentvolumeclaims']), r(['update'], core, ['pods/finalizers']), events,
  ],
  'ttl-controller': [r(['update', 'patch', 'list', 'watch'], core, ['nodes']), events],
  'persistent-volume-binder': [
    r(['get', 'list', 'watch', 'update', 'create', 'delete'], core, ['persistentvolumes']), r(['update'], core, ['persistentvolumes/status']),
    r(['get', 'list', 'watch', 'update'], core, ['persistentvolumeclaims']), r(['update'], core, ['persistentvolumeclaims/status']),
    r(['list', 'watch', 'get', 'create', 'delete'], core, ['pods']), r(['get', 'create', 'delete'], core, ['endpoints']), r(['get', 'create', 'delete'], core, ['services']),
    r(['get'], core, ['secrets']), r(['list', 'watch'], core, ['nodes']), r(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']), events,
  ],
  // k8ts's built-in local-path provisioner: the rights of k3s's local-path-provisioner role that it uses, and creating the default class.
  'local-path-provisioner': [
    r(['get', 'list', 'watch'], core, ['nodes', 'persistentvolumeclaims']), r(['get', 'list', 'watch', 'create', 'delete', 'patch', 'update'], core, ['persistentvolumes']),
    r(['get', 'list', 'watch', 'create'], ['storage.k8s.io'], ['storageclasses']), events,
  ],
  'pvc-protection-controller': [r(['get', 'list', 'watch', 'update'], core, ['persistentvolumeclaims']), r(['list', 'watch', 'get'], core, ['pods']), events],
  'pv-protection-controller': [r(['get', 'list', 'watch', 'update'], core, ['persistentvolumes']), events],
  'ttl-after-finished-controller': [r(['get', 'list', 'watch', 'delete'], batch, ['jobs']), events],
  'root-ca-cert-publisher': [r(['create', 'update'], core, ['configmaps']), events],
};

/** The controller ClusterRoles: `system:controller:<sa>` with their rules. */
export function controllerRoles(): { readonly name: string; readonly rules: readonly PolicyRule[] }[] {
  return Object.entries(controllerRules).map(([sa, rules]) => ({ name: `${CONTROLLER_ROLE_PREFIX}${sa}`, rules }));
}

/** The ServiceAccount (in kube-system) a controller role is bound to: the role name without the prefix. */
export function controllerServiceAccount(roleName: string): string {
  return roleName.slice(CONTROLLER_ROLE_PREFIX.length);
}
