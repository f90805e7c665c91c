import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlagValues } from '../command.ts';
import { findCreateEntry } from './index.ts';
import type { Generator, GeneratorIO } from './types.ts';
import { runPod } from './workloads.ts';

// Expected bodies are real kubectl 1.35's `--dry-run=client -o json`, compacted (key order is part of the contract).
const files: Record<string, string> = { 'dir/f1': 'hello\n', 'dir/f2.txt': 'world\n', 'dir/bin': '\u0000\u0001', 'env.txt': 'a=1\n# c\nb=2\nc\n' };
const resources: Record<string, { group: string; resource: string }> = {
  pods: { group: '', resource: 'pods' },
  secrets: { group: '', resource: 'secrets' },
  nodes: { group: '', resource: 'nodes' },
  'deployments.apps': { group: 'apps', resource: 'deployments' },
  'replicasets.apps': { group: 'apps', resource: 'replicasets' },
};
const warnings: string[] = [];
const io: GeneratorIO = {
  readFile: (p) => (files[p] !== undefined ? Promise.resolve(Buffer.from(files[p])) : Promise.reject(new Error(`open ${p}: no such file or directory`))),
  listDir: (p) => Promise.resolve(p === 'dir' ? ['bin', 'f1', 'f2.txt'] : undefined),
  env: {},
  resolveResource: (t) => (resources[t] !== undefined ? Promise.resolve(resources[t]) : Promise.reject(new Error(`the server doesn't have a resource type "${t}"`))),
  getObject: () => Promise.reject(new Error('unexpected')),
  warn: (l) => warnings.push(l),
};

function flags(entries: Record<string, string | number | boolean | string[]>): FlagValues {
  return new Map(Object.entries(entries));
}

function generator(path: string): Generator {
  const [first, second] = path.split(' ');
  const entry = findCreateEntry(first ?? '');
  assert.ok(entry !== undefined, path);
  if (entry.kind === 'generator') {
    return entry.generator;
  }
  assert.ok(entry.kind === 'group', path);
  const child = entry.children.find((c) => c.name === second);
  assert.ok(child !== undefined, path);
  return child;
}

const cases: [string, string, Record<string, string | number | boolean | string[]>, string | undefined, string[], string][] = [
  ['deployment', 'web', { image: ['nginx', 'busybox'], replicas: 3, port: 80 }, 'team', [], '{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"team","labels":{"app":"web"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}],"resources":{}},{"name":"busybox","image":"busybox","resources":{}}]}},"strategy":{}},"status":{}}'],
  ['service clusterip', 'svc1', { tcp: ['80:8080', '443'] }, undefined, [], '{"kind":"Service","apiVersion":"v1","metadata":{"name":"svc1","labels":{"app":"svc1"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},{"name":"443","protocol":"TCP","port":443,"targetPort":443}],"selector":{"app":"svc1"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}'],
  ['svc nodeport', 'np1', { tcp: ['80:http'], 'node-port': 30080 }, undefined, [], '{"kind":"Service","apiVersion":"v1","metadata":{"name":"np1","labels":{"app":"np1"}},"spec":{"ports":[{"name":"80-http","protocol":"TCP","port":80,"targetPort":"http","nodePort":30080}],"selector":{"app":"np1"},"type":"NodePort"},"status":{"loadBalancer":{}}}'],
  ['configmap', 'cm1', { 'from-literal': ['b=x', 'a=1'], 'from-file': ['dir', 'k=env.txt'] }, undefined, [], '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm1"},"data":{"a":"1","b":"x","bin":"\\u0000\\u0001","f1":"hello\\n","f2.txt":"world\\n","k":"a=1\\n# c\\nb=2\\nc\\n"}}'],
  ['configmap', 'cm2', { 'from-env-file': ['env.txt'] }, undefined, [], '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm2"},"data":{"a":"1","b":"2","c":""}}'],
  ['secret generic', 's1', { 'from-literal': ['a=1'], type: 'Opaque' }, undefined, [], '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s1"},"data":{"a":"MQ=="},"type":"Opaque"}'],
  ['secret docker-registry', 'dr1', { 'docker-server': 'reg.io', 'docker-username': 'u', 'docker-password': 'p', 'docker-email': 'e@x' }, undefined, [], '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"dr1"},"data":{".dockerconfigjson":"eyJhdXRocyI6eyJyZWcuaW8iOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiZW1haWwiOiJlQHgiLCJhdXRoIjoiZFRwdyJ9fX0="},"type":"kubernetes.io/dockerconfigjson"}'],
  ['job', 'j1', { image: 'busybox' }, undefined, ['echo', 'hi'], '{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"j1","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"Never"}}},"status":{}}'],
  ['cronjob', 'cj1', { image: 'busybox', schedule: '*/1 * * * *' }, undefined, ['date'], '{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"cj1"},"spec":{"schedule":"*/1 * * * *","jobTemplate":{"metadata":{"name":"cj1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"cj1","image":"busybox","command":["date"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}}'],
  ['role', 'r', { verb: ['get', 'list'], resource: ['deployments.apps,pods,replicasets.apps,secrets'], 'resource-name': ['a', 'b'] }, undefined, [], '{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","secrets"],"resourceNames":["a","b"]},{"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments","replicasets"],"resourceNames":["a","b"]}]}'],
  ['clusterrole', 'cr1', { verb: ['get'], resource: ['nodes'], 'non-resource-url': ['/logs'] }, undefined, [], '{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"cr1"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]},{"verbs":["get"],"nonResourceURLs":["/logs"]}]}'],
  ['rolebinding', 'rb1', { role: 'r1', user: ['u1'], group: ['g1'], serviceaccount: ['default:sa1'] }, undefined, [], '{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"rb1"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"u1"},{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"g1"},{"kind":"ServiceAccount","name":"sa1","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r1"}}'],
  ['clusterrolebinding', 'crb1', { clusterrole: 'cr1', user: ['u1'] }, undefined, [], '{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"crb1"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"u1"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cr1"}}'],
  ['priorityclass', 'pc', { value: 5, description: 'hi' }, undefined, [], '{"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"pc"},"value":5,"description":"hi","preemptionPolicy":"PreemptLowerPriority"}'],
  ['quota', 'q1', { hard: 'pods=2,cpu=1', scopes: 'BestEffort' }, undefined, [], '{"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"q1"},"spec":{"hard":{"cpu":"1","pods":"2"},"scopes":["BestEffort"]},"status":{}}'],
  ['ns', 'ns1', {}, 'team', [], '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"ns1"},"spec":{},"status":{}}'],
  ['sa', 'sa1', {}, 'team', [], '{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa1","namespace":"team"}}'],  ['ingress', 'ing1', { rule: ['foo.com/bar*=svc1:8080,tls=my-cert', 'bar.com/=svc2:http'], class: 'nginx', 'default-backend': 'defsvc:80', annotation: ['a=b'] }, undefined, [], '{"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"ing1","annotations":{"a":"b"}},"spec":{"ingressClassName":"nginx","defaultBackend":{"service":{"name":"defsvc","port":{"number":80}}},"tls":[{"hosts":["foo.com"],"secretName":"my-cert"}],"rules":[{"host":"foo.com","http":{"paths":[{"path":"/bar","pathType":"Prefix","backend":{"service":{"name":"svc1","port":{"number":8080}}}}]}},{"host":"bar.com","http":{"paths":[{"path":"/","pathType":"Exact","backend":{"service":{"name":"svc2","port":{"name":"http"}}}}]}}]},"status":{"loadBalancer":{}}}'],
  ['pdb', 'p1', { selector: 'app=x,env,z in (a,b)', 'min-available': '50%' }, 'team', [], '{"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"p1","namespace":"team"},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"x"},"matchExpressions":[{"key":"env","operator":"Exists"},{"key":"z","operator":"In","values":["a","b"]}]}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}}'],
];

for (const [path, name, f, ns, args, expected] of cases) {
  test(`create ${path} builds what kubectl 1.35 builds`, async () => {
    const obj = await generator(path).generate({ name, args, flags: flags(f), enforcedNamespace: ns, namespace: ns ?? 'default' }, io);
    assert.equal(JSON.stringify(obj), expected);
  });
}

test('create role warns about a non-standard verb and refuses unknown resources', async () => {
  warnings.length = 0;
  await generator('role').generate({ name: 'r', args: [], flags: flags({ verb: ['frob'], resource: ['pods'] }), enforcedNamespace: undefined, namespace: 'default' }, io);
  assert.deepEqual(warnings, ["Warning: 'frob' is not a standard resource verb"]);
  await assert.rejects(generator('role').generate({ name: 'r', args: [], flags: flags({ verb: ['get'], resource: ['foo'] }), enforcedNamespace: undefined, namespace: 'default' }, io), /doesn't have a resource type "foo"/);
});

test('create deployment refuses several images with a command; service needs a port', async () => {
  await assert.rejects(async () => generator('deployment').generate({ name: 'w', args: ['sh'], flags: flags({ image: ['a', 'b'] }), enforcedNamespace: undefined, namespace: 'default' }, io), /cannot specify multiple --image options and command/);
  await assert.rejects(async () => generator('service clusterip').generate({ name: 's', args: [], flags: flags({}), enforcedNamespace: undefined, namespace: 'default' }, io), /at least one tcp port specifier must be provided/);
});

test('run builds the pod kubectl 1.35 builds', () => {
  const p2 = runPod({ name: 'p2', args: ['sh', '-c', 'hi'], flags: flags({ image: 'nginx', env: ['A=1'], labels: 'x=y,z=w', port: '80', restart: 'Never', command: true }), enforcedNamespace: undefined });
  assert.equal(JSON.stringify(p2), '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p2","labels":{"x":"y","z":"w"}},"spec":{"containers":[{"name":"p2","image":"nginx","command":["sh","-c","hi"],"ports":[{"containerPort":80}],"env":[{"name":"A","value":"1"}],"resources":{}}],"restartPolicy":"Never","dnsPolicy":"ClusterFirst"},"status":{}}');
  const p3 = runPod({ name: 'p3', args: ['arg1', 'arg2'], flags: flags({ image: 'nginx', restart: 'OnFailure' }), enforcedNamespace: undefined });
  assert.equal(JSON.stringify(p3), '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p3","labels":{"run":"p3"}},"spec":{"containers":[{"name":"p3","image":"nginx","args":["arg1","arg2"],"resources":{}}],"restartPolicy":"OnFailure","dnsPolicy":"ClusterFirst"},"status":{}}');
});
