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
const svcGvk = g('', 'Service');

test('services: ports required, nodePort only for NodePort, type values', () => {
  assert.deepEqual(validateObject(svcGvk, make(svcGvk, { spec: { selector: { app: 'a' }, ports: [{ port: 80 }] } })), []);
  assert.deepEqual(validateObject(svcGvk, make(svcGvk, { spec: { clusterIP: 'None', selector: { app: 'a' } } })), []);
  assert.deepEqual(msgs(validateObject(svcGvk, make(svcGvk, { spec: {} }))), ['spec.ports: Required value']);
  assert.deepEqual(msgs(validateObject(svcGvk, make(svcGvk, { spec: { ports: [{ port: 80, nodePort: 30080 }] } }))), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  assert.deepEqual(msgs(validateObject(svcGvk, make(svcGvk, { spec: { type: 'Fancy', ports: [{ port: 0 }] } }))), [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.type: Unsupported value: "Fancy": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.deepEqual(msgs(validateObject(svcGvk, make(svcGvk, { spec: { ports: [{ port: 80 }, { port: 81 }] } }))), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.deepEqual(msgs(validateObject(svcGvk, make(svcGvk, { spec: { type: 'ExternalName' } }))), ['spec.externalName: Required value']);
});

test('service names are DNS-1035 labels and cluster IPs may not change', () => {
  const bad = make(svcGvk, { spec: { ports: [{ port: 80 }] } }, '9lives');
  assert.equal(msgs(validateObject(svcGvk, bad))[0].startsWith('metadata.name: Invalid value: "9lives": a DNS-1035 label must consist of'), true);
  const old = make(svcGvk, { spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] } });
  old.metadata.resourceVersion = '2';
  const changed = structuredClone(old);
  (changed.spec as Record<string, unknown>).clusterIP = '10.96.0.11';
  (changed.spec as Record<string, unknown>).clusterIPs = ['10.96.0.11'];
  assert.deepEqual(msgs(validateObject(svcGvk, changed, old)), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  const omitted: KubeObject = { metadata: { ...old.metadata }, spec: { ports: [{ port: 80 }] } };
  applyDefaults(svcGvk, omitted, old);
  assert.deepEqual(validateObject(svcGvk, omitted, old), [], 'allocated values carry over when omitted');
});

test('configmap keys and size', () => {
  const cm = g('', 'ConfigMap');
  assert.deepEqual(msgs(validateObject(cm, make(cm, { data: { 'bad key': 'v', '..x': 'y' } }))), [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    `data[..x]: Invalid value: "..x": must not start with '..'`,
  ]);
  assert.deepEqual(msgs(validateObject(cm, make(cm, { data: { a: 'x'.repeat(1024 * 1024 + 1) } }))), ['Too long: may not be more than 1048576 bytes'].map((m) => `: ${m}`));
  const old = make(cm, { immutable: true, data: { a: '1' } });
  old.metadata.resourceVersion = '1';
  const changed = { ...structuredClone(old), data: { a: '2' } };
  assert.deepEqual(msgs(validateObject(cm, changed, old)), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('secrets: stringData merges, typed secrets need their keys, type is immutable', () => {
  const sec = g('', 'Secret');
  const s = make(sec, { stringData: { password: 'hunter2' } });
  assert.deepEqual(s.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal(s.stringData, undefined);
  assert.deepEqual(msgs(validateObject(sec, make(sec, { type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }))), ['data[tls.key]: Required value']);
  const old = make(sec, {});
  old.metadata.resourceVersion = '1';
  assert.deepEqual(msgs(validateObject(sec, { ...structuredClone(old), type: 'kubernetes.io/basic-auth', data: { username: 'eA==' } }, old)), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
});

test('namespaces, nodes, pvcs, pvs', () => {
  assert.deepEqual(validateObject(g('', 'Namespace'), make(g('', 'Namespace'), {}, 'team-a')), []);
  const node = g('', 'Node');
  assert.deepEqual(msgs(validateObject(node, make(node, { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'Never' }] } }))), [
    'spec.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
    'spec.taints[2].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  const pvc = g('', 'PersistentVolumeClaim');
  assert.deepEqual(msgs(validateObject(pvc, make(pvc, { spec: {} }))), ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
  assert.deepEqual(validateObject(pvc, make(pvc, { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })), []);
  const pv = g('', 'PersistentVolume');
  assert.deepEqual(validateObject(pv, make(pv, { spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/data' } } })), []);
  assert.deepEqual(msgs(validateObject(pv, make(pv, { spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } }))), ['spec: Required value: must specify a volume type']);
});

test('rbac: roleRef required and immutable, subjects, rules', () => {
  const rb = g('rbac.authorization.k8s.io', 'RoleBinding');
  assert.deepEqual(validateObject(rb, make(rb, { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] })), []);
  assert.deepEqual(msgs(validateObject(rb, make(rb, { roleRef: { kind: 'Thing' }, subjects: [{ kind: 'Robot', name: 'r2' }] }))), [
    'roleRef.kind: Unsupported value: "Thing": supported values: "Role", "ClusterRole"',
    'roleRef.name: Required value',
    'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
  ]);
  const old = make(rb, { roleRef: { kind: 'Role', name: 'r' } });
  old.metadata.resourceVersion = '1';
  const changed = { ...structuredClone(old), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' } };
  assert.deepEqual(msgs(validateObject(rb, changed, old)), ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"admin"}: cannot change roleRef']);
  const crb = g('rbac.authorization.k8s.io', 'ClusterRoleBinding');
  assert.deepEqual(msgs(validateObject(crb, make(crb, { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }))), ['subjects[0].namespace: Required value']);
  const role = g('rbac.authorization.k8s.io', 'Role');
  assert.deepEqual(msgs(validateObject(role, make(role, { rules: [{ apiGroups: [''], resources: ['pods'] }] }))), ['rules[0].verbs: Required value: verbs must contain at least one value']);
});

test('crds: names, group, storage version, schema', () => {
  const crdGvk = g('apiextensions.k8s.io', 'CustomResourceDefinition');
  const crd = (spec: Record<string, unknown>, name = 'widgets.example.com') => make(crdGvk, { spec }, name);
  const schema = { openAPIV3Schema: { type: 'object' } };
  const good = { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema }] };
  assert.deepEqual(validateObject(crdGvk, crd(good)), []);
  assert.deepEqual(msgs(validateObject(crdGvk, crd({ ...good, group: 'example', names: { plural: 'Widgets', kind: 'Widget' } }, 'Widgets.example'))), [
    `metadata.name: Invalid value: "Widgets.example": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    'spec.group: Invalid value: "example": should be a domain with at least one dot',
    `spec.names.plural: Invalid value: "Widgets": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
  ]);
  assert.deepEqual(msgs(validateObject(crdGvk, crd(good, 'gadgets.example.com'))), ['metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group']);
  const twoStorage = msgs(validateObject(crdGvk, crd({ ...good, versions: [{ name: 'v1', storage: true, schema }, { name: 'v2', storage: true }] })));
  assert.deepEqual(twoStorage, [
    'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
    'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:"v1", ...}, apiextensions.CustomResourceDefinitionVersion{Name:"v2", ...}}: must have exactly one version marked as storage version',
  ]);
});

test('pdb, hpa, lease', () => {
  const pdb = g('policy', 'PodDisruptionBudget');
  assert.deepEqual(msgs(validateObject(pdb, make(pdb, { spec: { minAvailable: '150%' } }))), ['spec.minAvailable: Invalid value: 150%: must not be greater than 100%']);
  const hpa = g('autoscaling', 'HorizontalPodAutoscaler', 'v2');
  assert.deepEqual(msgs(validateObject(hpa, make(hpa, { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 5, maxReplicas: 2 } }))), ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
  const lease = g('coordination.k8s.io', 'Lease');
  assert.deepEqual(msgs(validateObject(lease, make(lease, { spec: { leaseDurationSeconds: 0 } }))), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
});
