import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from '../defaults/index.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { validateObject } from './index.ts';

const msgs = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);
const g = (group: string, kind: string, version = 'v1'): GroupVersionKind => ({ group, version, kind });
function make(gvk: GroupVersionKind, body: Record<string, unknown>, name = 'x'): KubeObject {
  const o: KubeObject = { metadata: { name, namespace: 'default' }, ...body };
  applyDefaults(gvk, o);
  return o;
}

test('ingress: pathType required, paths absolute, backends', () => {
  const ing = g('networking.k8s.io', 'Ingress');
  const backend = { service: { name: 'web', port: { number: 80 } } };
  assert.deepEqual(validateObject(ing, make(ing, { spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] } })), []);
  assert.deepEqual(msgs(validateObject(ing, make(ing, { spec: { rules: [{ host: '10.0.0.1', http: { paths: [{ path: 'api', backend }, { path: 'v1', pathType: 'Exact', backend: { service: { name: 'web', port: {} } } }] } }] } }))), [
    'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    'spec.rules[0].http.paths[1].path: Invalid value: "v1": must be an absolute path',
    'spec.rules[0].http.paths[1].backend: Required value: port name or number is required',
  ]);
  assert.deepEqual(msgs(validateObject(ing, make(ing, { spec: {} }))), ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
});

test('network policy ports and peers', () => {
  const np = g('networking.k8s.io', 'NetworkPolicy');
  assert.deepEqual(validateObject(np, make(np, { spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { a: 'b' } } }], ports: [{ port: 80 }] }] } })), []);
  assert.deepEqual(msgs(validateObject(np, make(np, { spec: { podSelector: {}, ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/33' } }], ports: [{ port: 80, endPort: 70, protocol: 'ICMP' }] }] } }))), [
    'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
    'spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to `port`',
    'spec.ingress[0].from[0]: Required value: must specify a peer',
    'spec.ingress[0].from[1].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  ]);
});

test('pod affinity, host ports, security context', () => {
  const pod = g('', 'Pod');
  const errs = msgs(validateObject(pod, make(pod, { spec: {
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] } },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { labelSelector: { matchLabels: { a: 'b' } } } }] },
    },
    securityContext: { runAsUser: -1 },
    containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] }],
  } })));
  assert.deepEqual(errs, [
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
    'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Required value: can not be empty',
    'spec.containers[1].ports[0].hostPort: Duplicate value: "/TCP/8080"',
    'spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
  ]);
});

test('storage class, priority class, quota, endpoints', () => {
  const sc = g('storage.k8s.io', 'StorageClass');
  const old = make(sc, { provisioner: 'rancher.io/local-path' });
  old.metadata.resourceVersion = '1';
  assert.deepEqual(msgs(validateObject(sc, { ...structuredClone(old), provisioner: 'other.io/x' }, old)), ['provisioner: Forbidden: updates to provisioner are forbidden.']);
  const pc = g('scheduling.k8s.io', 'PriorityClass');
  assert.deepEqual(msgs(validateObject(pc, make(pc, { value: 2000000000 }, 'high'))), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  assert.deepEqual(msgs(validateObject(pc, make(pc, { value: 1 }, 'system-mine'))), ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved"]);
  const rq = g('', 'ResourceQuota');
  assert.deepEqual(msgs(validateObject(rq, make(rq, { spec: { hard: { pods: '-1' } } }))), ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']);
  const ep = g('', 'Endpoints');
  assert.deepEqual(msgs(validateObject(ep, make(ep, { subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ port: 80 }] }] }))), ['subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
});

test('events: legacy namespace agreement, strict events.k8s.io fields', () => {
  const ev = g('', 'Event');
  assert.deepEqual(validateObject(ev, make(ev, { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started' }, 'p.1')), []);
  assert.deepEqual(msgs(validateObject(ev, make(ev, { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }, 'p.2'))), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  const node: KubeObject = { metadata: { name: 'n.1', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'n' } };
  assert.deepEqual(validateObject(ev, node), [], 'cluster-scoped objects report into default');
  const v1 = g('events.k8s.io', 'Event');
  assert.deepEqual(msgs(validateObject(v1, make(v1, { eventTime: '2026-01-01T00:00:00.000000Z', type: 'Odd', regarding: { namespace: 'default' }, reportingController: 'c', reportingInstance: 'i', action: 'A' }, 'e.1'))), [
    'type: Invalid value: "": has invalid value: Odd',
    'reason: Required value',
  ]);
});

test('topology spread constraints', () => {
  const pod = g('', 'Pod');
  const errs = msgs(validateObject(pod, make(pod, { spec: {
    topologySpreadConstraints: [
      { maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
      { maxSkew: 1, topologyKey: '', whenUnsatisfiable: 'Maybe' },
    ],
    containers: [{ name: 'a', image: 'x' }],
  } })));
  assert.deepEqual(errs, [
    'spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
    'spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"',
    'spec.topologySpreadConstraints[2].topologyKey: Required value: can not be empty',
    'spec.topologySpreadConstraints[2].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
  ]);
});

test('scale and binding subresource bodies', () => {
  assert.deepEqual(msgs(validateObject(g('autoscaling', 'Scale'), { metadata: { name: 'web', namespace: 'default' }, spec: { replicas: -1 } })), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(msgs(validateObject(g('', 'Binding'), { metadata: { name: 'p', namespace: 'default' }, target: { kind: 'Pod', name: '' } })), [
    'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    'target.name: Required value',
  ]);
});
