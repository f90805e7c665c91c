import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../object.ts';
import { builtinResources } from '../resources/index.ts';
import { crdTableConvertor, defaultTableConvertor, humanDuration, registerTableConvertor, tableConvertorFor, unregisterTableConvertors } from './index.ts';

const now = new Date('2026-01-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function row(group: string, resource: string, obj: KubeObject): Record<string, unknown> {
  const conv = tableConvertorFor(group, resource);
  const cells = conv.cells(obj, now);
  assert.equal(cells.length, conv.columns.length, `${group}/${resource}: one cell per column`);
  return Object.fromEntries(conv.columns.map((c, i) => [c.name, cells[i]]));
}

function meta(name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject['metadata'] {
  return { name, namespace: 'default', creationTimestamp: ago(60 * MIN), ...extra };
}

test('humanDuration follows upstream', () => {
  const cases: [number, string][] = [
    [-5000, '<invalid>'], [-500, '0s'], [0, '0s'], [59_000, '59s'], [119_000, '119s'], [120_000, '2m'], [150_000, '2m30s'], [10 * MIN, '10m'],
    [179 * MIN, '179m'], [3 * HOUR, '3h'], [3 * HOUR + 5 * MIN, '3h5m'], [8 * HOUR, '8h'], [47 * HOUR, '47h'], [2 * DAY, '2d'], [2 * DAY + 5 * HOUR, '2d5h'],
    [8 * DAY, '8d'], [400 * DAY, '400d'], [730 * DAY, '2y'], [800 * DAY, '2y70d'], [3000 * DAY, '8y'],
  ];
  for (const [ms, want] of cases) {
    assert.equal(humanDuration(ms), want, `${ms}ms`);
  }
});

test('pod columns, and a running pod as kubectl shows it', () => {
  const conv = tableConvertorFor('', 'pods');
  assert.deepEqual(conv.columns.map((c) => [c.name, c.priority]), [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]]);
  assert.equal(conv.columns[0]?.format, 'name');
  const pod: KubeObject = {
    metadata: meta('web-1'),
    spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx' }] },
    status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: { startedAt: ago(59 * MIN) } } }] },
  };
  assert.deepEqual(conv.cells(pod, now), ['web-1', '1/1', 'Running', '0', '60m', '10.244.0.5', 'node-1', '<none>', '<none>']);
});

test('pod STATUS and RESTARTS cases', () => {
  const base = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, m: Partial<KubeObject['metadata']> = {}): KubeObject => ({
    metadata: meta('p', m), spec: { containers: [{ name: 'app', image: 'app' }], ...spec }, status,
  });
  const cell = (o: KubeObject, col: string): unknown => row('', 'pods', o)[col];

  const crash = base({ phase: 'Running', containerStatuses: [{ name: 'app', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } } }] });
  assert.equal(cell(crash, 'Status'), 'CrashLoopBackOff');
  assert.equal(cell(crash, 'Restarts'), '5 (5m ago)');
  assert.equal(cell(crash, 'Ready'), '0/1');

  assert.equal(cell(base({ phase: 'Pending' }), 'Status'), 'Pending');
  assert.equal(cell(base({ phase: 'Pending' }), 'IP'), '<none>');
  assert.equal(cell(base({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), 'Status'), 'SchedulingGated');

  const init = { initContainers: [{ name: 'init', image: 'busybox' }] };
  assert.equal(cell(base({ phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }, init), 'Status'), 'Init:0/1');
  assert.equal(cell(base({ phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, init), 'Status'), 'Init:CrashLoopBackOff');
  assert.equal(cell(base({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 2 } } }] }, init), 'Status'), 'Init:ExitCode:2');
  const initRestarts = base({ phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, init);
  assert.equal(cell(initRestarts, 'Restarts'), '3');

  const done = base({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
  assert.equal(cell(done, 'Status'), 'Completed');
  const failed = base({ phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }] });
  assert.equal(cell(failed, 'Status'), 'Signal:9');

  const running = base({ phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] }, {}, { deletionTimestamp: ago(0) });
  assert.equal(cell(running, 'Status'), 'Terminating');
  const lost = base({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: ago(0) });
  assert.equal(cell(lost, 'Status'), 'Unknown');
  const evicted = base({ phase: 'Failed', reason: 'Evicted' });
  assert.equal(cell(evicted, 'Status'), 'Evicted');

  // A sidecar (restartable init container) counts towards READY once started.
  const sidecar = base(
    {
      phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * HOUR) } } }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
    },
    { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] },
  );
  assert.equal(cell(sidecar, 'Ready'), '2/2');
  assert.equal(cell(sidecar, 'Status'), 'Running');
  assert.equal(cell(sidecar, 'Restarts'), '1 (120m ago)');

  // One container completed while another still runs and the pod is not Ready.
  const partial = base({ phase: 'Running', containerStatuses: [{ name: 'a', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }, { name: 'b', ready: true, state: { running: {} } }] }, { containers: [{ name: 'a' }, { name: 'b' }] });
  assert.equal(cell(partial, 'Status'), 'NotReady');

  const gates = base({ phase: 'Running', conditions: [{ type: 'x/ready', status: 'True' }] }, { readinessGates: [{ conditionType: 'x/ready' }, { conditionType: 'y' }] });
  assert.equal(cell(gates, 'Readiness Gates'), '1/2');
});

test('services: TYPE, CLUSTER-IP, EXTERNAL-IP and PORT(S)', () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): Record<string, unknown> => row('', 'services', { metadata: meta('s', { creationTimestamp: ago(DAY) }), spec, status });
  const k = svc({ type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 443, protocol: 'TCP' }] });
  assert.deepEqual(Object.values(k), ['s', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '24h', '<none>']);
  const np = svc({ type: 'NodePort', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web', tier: 'fe' } });
  assert.equal(np['Port(s)'], '80:30080/TCP,53/UDP');
  assert.equal(np.Selector, 'app=web,tier=fe');
  assert.equal(svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], ports: [] })['External-IP'], '<pending>');
  assert.equal(svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.11'] }, { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } })['External-IP'], '203.0.113.9,lb.example.com');
  assert.equal(svc({ type: 'LoadBalancer' })['Port(s)'], '<none>');
  assert.equal(svc({ type: 'ExternalName', externalName: 'db.example.com' })['External-IP'], 'db.example.com');
  assert.equal(svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] })['Cluster-IP'], 'None');
  assert.equal(svc({ type: 'ClusterIP', externalIPs: ['1.2.3.4'] })['External-IP'], '1.2.3.4');
});

test('nodes: STATUS, ROLES, VERSION and wide columns', () => {
  const node: KubeObject = {
    metadata: { name: 'node-1', creationTimestamp: ago(3 * DAY), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'node-1' }],
      nodeInfo: { kubeletVersion: 'v1.35.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'k8ts://0.1.0' },
    },
  };
  assert.deepEqual(Object.values(row('', 'nodes', node)), ['node-1', 'Ready,SchedulingDisabled', 'control-plane,worker', '3d', 'v1.35.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'k8ts://0.1.0']);
  const bare = row('', 'nodes', { metadata: { name: 'n2', creationTimestamp: ago(MIN) }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
  assert.deepEqual([bare.Status, bare.Roles, bare['OS-Image']], ['NotReady', '<none>', '<unknown>']);
  assert.equal(row('', 'nodes', { metadata: { name: 'n3' } }).Status, 'Unknown');
  assert.equal(row('', 'nodes', { metadata: { name: 'n3' } }).Age, '<unknown>');
});

test('workloads: deployments, replicasets, statefulsets, daemonsets', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] } };
  const d = row('apps', 'deployments', { metadata: meta('web'), spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } });
  assert.deepEqual(Object.values(d), ['web', '2/3', 3, 2, '60m', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=web']);
  const rs = row('apps', 'replicasets', { metadata: meta('web-abc'), spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }, template }, status: { replicas: 3, readyReplicas: 3 } });
  assert.deepEqual(Object.values(rs).slice(0, 5), ['web-abc', 3, 3, 3, '60m']);
  assert.equal(rs.Selector, 'app=web,tier in (be,fe)');
  const sts = row('apps', 'statefulsets', { metadata: meta('db'), spec: { replicas: 2, template }, status: { readyReplicas: 1 } });
  assert.equal(sts.Ready, '1/2');
  const ds = row('apps', 'daemonsets', { metadata: meta('agent'), spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [] } } }, status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } });
  assert.deepEqual(Object.values(ds).slice(0, 8), ['agent', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '60m']);
  const rc = row('', 'replicationcontrollers', { metadata: meta('rc'), spec: { replicas: 1, selector: { app: 'x' } } });
  assert.deepEqual([rc.Desired, rc.Current, rc.Selector], [1, 0, 'app=x']);
  assert.equal(row('apps', 'replicasets', { metadata: meta('r') }).Selector, '<none>');
});

test('jobs and cronjobs', () => {
  const done = row('batch', 'jobs', { metadata: meta('pi'), spec: { completions: 1, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } }, status: { succeeded: 1, startTime: ago(10 * MIN), completionTime: ago(10 * MIN - 12_000), conditions: [{ type: 'Complete', status: 'True' }] } });
  assert.deepEqual(Object.values(done).slice(0, 5), ['pi', 'Complete', '1/1', '12s', '60m']);
  const running = row('batch', 'jobs', { metadata: meta('w'), spec: { parallelism: 3 }, status: { startTime: ago(5 * MIN) } });
  assert.deepEqual([running.Status, running.Completions, running.Duration], ['Running', '0/1 of 3', '5m']);
  const pending = row('batch', 'jobs', { metadata: meta('w'), spec: {}, status: {} });
  assert.deepEqual([pending.Completions, pending.Duration], ['0/1', '']);
  assert.equal(row('batch', 'jobs', { metadata: meta('f'), status: { conditions: [{ type: 'Failed', status: 'True' }] } }).Status, 'Failed');
  assert.equal(row('batch', 'jobs', { metadata: meta('s'), status: { conditions: [{ type: 'Suspended', status: 'True' }] } }).Status, 'Suspended');

  const cj = row('batch', 'cronjobs', { metadata: meta('hello'), spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }] } } } } }, status: {} });
  assert.deepEqual(Object.values(cj).slice(0, 7), ['hello', '*/1 * * * *', '<none>', 'False', 0, '<none>', '60m']);
  const cj2 = row('batch', 'cronjobs', { metadata: meta('h2'), spec: { schedule: '@daily', timeZone: 'Etc/UTC' }, status: { active: [{ name: 'h2-1' }], lastScheduleTime: ago(30_000) } });
  assert.deepEqual([cj2.Timezone, cj2.Suspend, cj2.Active, cj2['Last Schedule']], ['Etc/UTC', '<unset>', 1, '30s']);
});

test('configmaps, secrets, namespaces, service accounts', () => {
  assert.deepEqual(Object.values(row('', 'configmaps', { metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })), ['cfg', 3, '60m']);
  assert.deepEqual(Object.values(row('', 'configmaps', { metadata: meta('empty') })), ['empty', 0, '60m']);
  assert.deepEqual(Object.values(row('', 'secrets', { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } })), ['tls', 'kubernetes.io/tls', 2, '60m']);
  assert.deepEqual(Object.values(row('', 'namespaces', { metadata: { name: 'default', creationTimestamp: ago(DAY) }, status: { phase: 'Active' } })), ['default', 'Active', '24h']);
  assert.deepEqual(Object.values(row('', 'serviceaccounts', { metadata: meta('default') })), ['default', 0, '60m']);
});

test('events (core and events.k8s.io) render LAST SEEN TYPE REASON OBJECT MESSAGE', () => {
  const ev = row('', 'events', {
    metadata: meta('web-1.17f'), involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{nginx}' }, reason: 'Pulled', type: 'Normal',
    message: ' Container image "nginx" already present on machine\n', source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(10 * MIN), lastTimestamp: ago(2 * MIN), count: 3,
  });
  assert.deepEqual(Object.values(ev), ['2m', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{nginx}', 'kubelet, node-1', 'Container image "nginx" already present on machine', '10m', 3, 'web-1.17f']);
  const fresh = row('', 'events', { metadata: meta('x'), involvedObject: { kind: 'Node' }, eventTime: ago(45_000), reportingComponent: 'scheduler', type: 'Warning', reason: 'R', message: 'm' });
  assert.deepEqual([fresh['Last Seen'], fresh.Object, fresh.Source, fresh.Count], ['45s', 'node', 'scheduler', 1]);
  const v1 = row('events.k8s.io', 'events', { metadata: meta('y'), regarding: { kind: 'Deployment', name: 'web' }, note: 'Scaled up', reason: 'ScalingReplicaSet', type: 'Normal', eventTime: ago(MIN * 3), reportingController: 'deployment-controller', series: { count: 4, lastObservedTime: ago(MIN) } });
  assert.deepEqual([v1['Last Seen'], v1.Object, v1.Message, v1.Count, v1['First Seen'], v1.Source], ['60s', 'deployment/web', 'Scaled up', 4, '3m', 'deployment-controller']);
  assert.deepEqual(row('events.k8s.io', 'events', { metadata: meta('z'), involvedObject: { kind: 'Pod', name: 'p' }, message: 'm', type: 'Normal', reason: 'R', lastTimestamp: ago(MIN) }).Object, 'pod/p');
  assert.deepEqual(tableConvertorFor('', 'events').columns.filter((c) => c.priority === 0).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
});

test('volumes, claims and storage classes', () => {
  const pv = row('', 'persistentvolumes', { metadata: { name: 'pv1', creationTimestamp: ago(HOUR) }, spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local' }, status: { phase: 'Bound' } });
  assert.deepEqual(Object.values(pv), ['pv1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'local', '<unset>', '', '60m', '<unset>']);
  const pvc = row('', 'persistentvolumeclaims', { metadata: meta('data'), spec: { volumeName: 'pv1', storageClassName: 'local', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] } });
  assert.deepEqual(Object.values(pvc), ['data', 'Bound', 'pv1', '10Gi', 'RWO', 'local', '<unset>', '60m', 'Filesystem']);
  const pending = row('', 'persistentvolumeclaims', { metadata: meta('p', { deletionTimestamp: ago(0) }), spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } });
  assert.deepEqual([pending.Status, pending.Capacity, pending['Access Modes'], pending.StorageClass], ['Terminating', '', '', '']);
  const sc = row('storage.k8s.io', 'storageclasses', { metadata: { name: 'standard', creationTimestamp: ago(HOUR), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' });
  assert.deepEqual(Object.values(sc), ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '60m']);
});

test('rbac bindings, leases, priority classes, endpoint slices, endpoints, ingresses, pdb, hpa, csr', () => {
  const rb = row('rbac.authorization.k8s.io', 'rolebindings', { metadata: meta('rb'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }, { kind: 'Group', name: 'devs' }] });
  assert.deepEqual(Object.values(rb), ['rb', 'ClusterRole/view', '60m', 'alice', 'devs', 'kube-system:default']);
  assert.deepEqual(Object.values(row('coordination.k8s.io', 'leases', { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'node-1_abc' } })), ['kube-scheduler', 'node-1_abc', '60m']);
  assert.deepEqual(Object.values(row('scheduling.k8s.io', 'priorityclasses', { metadata: meta('system-node-critical'), value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' })), ['system-node-critical', 2000001000, false, '60m', 'PreemptLowerPriority']);
  const slice = row('discovery.k8s.io', 'endpointslices', { metadata: meta('web-xyz'), addressType: 'IPv4', ports: [{ port: 80, name: 'http' }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }] });
  assert.deepEqual(Object.values(slice), ['web-xyz', 'IPv4', '80', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '60m']);
  assert.equal(row('discovery.k8s.io', 'endpointslices', { metadata: meta('e') }).Endpoints, '<unset>');
  const ep = row('', 'endpoints', { metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }] });
  assert.equal(ep.Endpoints, '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
  assert.equal(row('', 'endpoints', { metadata: meta('none') }).Endpoints, '<none>');
  const ing = row('networking.k8s.io', 'ingresses', { metadata: meta('ing'), spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, {}], tls: [{ hosts: ['a.example.com'] }] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } });
  assert.deepEqual(Object.values(ing), ['ing', 'nginx', 'a.example.com', '1.2.3.4', '80, 443', '60m']);
  assert.equal(row('networking.k8s.io', 'ingresses', { metadata: meta('i2'), spec: {} }).Hosts, '*');
  const pdb = row('policy', 'poddisruptionbudgets', { metadata: meta('pdb'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } });
  assert.deepEqual(Object.values(pdb), ['pdb', '50%', 'N/A', 1, '60m']);
  const hpa = row('autoscaling', 'horizontalpodautoscalers', {
    metadata: meta('web'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }] },
  });
  assert.deepEqual(Object.values(hpa), ['web', 'Deployment/web', 'cpu: 12%/50%', '1', 10, 2, '60m']);
  const csr = row('certificates.k8s.io', 'certificatesigningrequests', { metadata: meta('csr-1'), spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'alice', expirationSeconds: 86400 }, status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'LS0t' } });
  assert.deepEqual(Object.values(csr), ['csr-1', '60m', 'kubernetes.io/kube-apiserver-client', 'alice', '24h', 'Approved,Issued']);
  const cr = row('apps', 'controllerrevisions', { metadata: meta('ds-1', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }), revision: 2 });
  assert.deepEqual(Object.values(cr), ['ds-1', 'daemonset.apps/agent', 2, '60m']);
  const quota = row('', 'resourcequotas', { metadata: meta('q'), status: { hard: { 'requests.cpu': '2', pods: '10', 'limits.memory': '2Gi' }, used: { pods: '3' } } });
  assert.deepEqual(Object.values(quota), ['q', 'pods: 3/10, requests.cpu: 0/2', 'limits.memory: 0/2Gi', '60m']);
});

test('resources without a printer get NAME and CREATED AT', () => {
  for (const [g, r] of [['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'clusterroles'], ['', 'limitranges'], ['apiextensions.k8s.io', 'customresourcedefinitions']] as const) {
    assert.equal(tableConvertorFor(g, r), defaultTableConvertor);
  }
  assert.deepEqual(defaultTableConvertor.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Created At', 'date']]);
  assert.deepEqual(defaultTableConvertor.cells({ metadata: { name: 'admin', creationTimestamp: '2026-01-01T10:00:00.123Z' } }, now), ['admin', '2026-01-01T10:00:00Z']);
});

test('every built-in convertor yields one cell per column, even for a bare object', () => {
  for (const d of builtinResources) {
    const conv = tableConvertorFor(d.group, d.resource);
    const cells = conv.cells({ metadata: { name: 'x' } }, now);
    assert.equal(cells.length, conv.columns.length, `${d.group}/${d.resource}`);
    assert.equal(cells[conv.columns.findIndex((c) => c.format === 'name' && c.name === 'Name')], 'x', `${d.group}/${d.resource} name cell`);
  }
});

test('custom resources: additionalPrinterColumns and the default AGE column', () => {
  const crd: KubeObject = {
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      versions: [
        {
          name: 'v1',
          additionalPrinterColumns: [
            { name: 'Color', type: 'string', jsonPath: '.spec.color' },
            { name: 'Size', type: 'integer', jsonPath: '.spec.size', description: 'How big' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Tags', type: 'string', jsonPath: '.spec.tags', priority: 1 },
            { name: 'Enabled', type: 'boolean', jsonPath: ".spec['enabled']" },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
        { name: 'v1beta1' },
      ],
    },
  };
  const v1 = crdTableConvertor(crd, 'v1');
  assert.deepEqual(v1.columns.map((c) => [c.name, c.type, c.priority]), [['Name', 'string', 0], ['Color', 'string', 0], ['Size', 'integer', 0], ['Ready', 'string', 0], ['Tags', 'string', 1], ['Enabled', 'boolean', 0], ['Age', 'date', 0]]);
  assert.equal(v1.columns[1]?.description, 'Custom resource definition column (in JSONPath format): .spec.color');
  assert.equal(v1.columns[2]?.description, 'How big');
  const w: KubeObject = { metadata: { name: 'w1', creationTimestamp: ago(2 * DAY) }, spec: { color: 'red', size: 3.7, tags: ['a', 'b'], enabled: true }, status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] } };
  assert.deepEqual(v1.cells(w, now), ['w1', 'red', 3, 'True', '[a b]', true, '2d']);
  assert.deepEqual(v1.cells({ metadata: { name: 'w2' }, spec: { size: 'big' } }, now), ['w2', null, null, null, null, null, null]);
  const beta = crdTableConvertor(crd, 'v1beta1');
  assert.deepEqual(beta.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Age', 'date']]);
  assert.deepEqual(beta.cells(w, now), ['w1', '2d']);

  registerTableConvertor('example.com', 'widgets', 'v1', v1);
  try {
    assert.equal(tableConvertorFor('example.com', 'widgets', 'v1'), v1);
    assert.equal(tableConvertorFor('example.com', 'widgets'), v1);
  } finally {
    unregisterTableConvertors('example.com', 'widgets');
  }
  assert.equal(tableConvertorFor('example.com', 'widgets', 'v1'), defaultTableConvertor);
});
