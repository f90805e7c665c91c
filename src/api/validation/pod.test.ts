import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from '../defaults/index.ts';
import type { KubeObject } from '../object.ts';
import { decodeErrorMessage, validateObject } from './index.ts';

const podGvk = { group: '', version: 'v1', kind: 'Pod' };
const msgs = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

function pod(spec: Record<string, unknown>): KubeObject {
  const p: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec };
  applyDefaults(podGvk, p);
  return p;
}

test('a defaulted minimal pod is valid', () => {
  assert.deepEqual(validateObject(podGvk, pod({ containers: [{ name: 'web', image: 'nginx' }] })), []);
});

test('containers are required', () => {
  assert.deepEqual(msgs(validateObject(podGvk, pod({ containers: [] }))), ['spec.containers: Required value']);
});

test('container names, images and duplicates', () => {
  const errs = msgs(validateObject(podGvk, pod({ containers: [{ name: 'Web', image: 'x' }, { name: 'a', image: '' }, { name: 'a', image: 'y' }] })));
  assert.deepEqual(errs, [
    `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.containers[1].image: Required value',
    'spec.containers[2].name: Duplicate value: "a"',
  ]);
});

test('ports: range, protocol, names', () => {
  const errs = msgs(validateObject(podGvk, pod({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000, protocol: 'HTTP' }, { containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }, { containerPort: 82, name: 'Bad--' }] }] })));
  assert.deepEqual(errs, [
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    'spec.containers[0].ports[2].name: Duplicate value: "http"',
    'spec.containers[0].ports[3].name: Invalid value: "Bad--": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.containers[0].ports[3].name: Invalid value: "Bad--": must not contain consecutive hyphens',
    'spec.containers[0].ports[3].name: Invalid value: "Bad--": must not begin or end with a hyphen',
  ]);
});

test('env names and valueFrom', () => {
  const errs = msgs(validateObject(podGvk, pod({ containers: [{ name: 'c', image: 'x', env: [{ name: 'A=B' }, { name: '' }, { name: 'X', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'Y', valueFrom: {} }] }] })));
  assert.deepEqual(errs, [
    `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    'spec.containers[0].env[1].name: Required value',
    'spec.containers[0].env[2].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    'spec.containers[0].env[3].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
  ]);
});

test('volumes and mounts', () => {
  const errs = msgs(validateObject(podGvk, pod({
    volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', configMap: { name: 'x' } }, { name: 'b', emptyDir: {}, secret: { secretName: 's' } }, { name: 'c', secret: {} }],
    containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'missing', mountPath: '/m' }, { name: 'a', mountPath: '/m' }] }],
  })));
  assert.deepEqual(errs, [
    'spec.volumes[1].name: Duplicate value: "a"',
    'spec.volumes[2].secret: Forbidden: may not specify more than 1 volume type',
    'spec.volumes[3].secret.secretName: Required value',
    'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
    'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/m": must be unique',
  ]);
});

test('probes need exactly one handler', () => {
  const errs = msgs(validateObject(podGvk, pod({ containers: [{ name: 'c', image: 'x', livenessProbe: {}, readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } }, startupProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }] })));
  assert.deepEqual(errs, [
    'spec.containers[0].livenessProbe: Required value: must specify a handler type',
    'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    'spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1',
  ]);
});

test('resources: requests must not exceed limits', () => {
  const errs = msgs(validateObject(podGvk, pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' }, requests: { cpu: '2', memory: '-1', gpu: '1' } } }] })));
  assert.deepEqual(errs, [
    'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    'spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
  ]);
  const bad = msgs(validateObject(podGvk, pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '1Gb' } } }] })));
  assert.equal(bad[0], `spec.containers[0].resources.limits[memory]: Invalid value: "1Gb": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
});

test('restartPolicy, dnsPolicy, tolerations, nodeSelector', () => {
  const errs = msgs(validateObject(podGvk, pod({
    restartPolicy: 'Sometimes', dnsPolicy: 'Magic', nodeSelector: { 'a b': 'c' },
    tolerations: [{ key: 'k', operator: 'Maybe' }, { operator: 'Equal', value: 'v' }, { key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }, { key: 'k', effect: 'Sometimes' }],
    containers: [{ name: 'c', image: 'x' }],
  })));
  assert.ok(errs.includes('spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'), errs.join('\n'));
  assert.ok(errs.includes('spec.dnsPolicy: Unsupported value: "Magic": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'));
  assert.ok(errs.some((e) => e.startsWith('spec.nodeSelector: Invalid value: "a b": name part must consist of')));
  assert.ok(errs.includes('spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"'));
  assert.ok(errs.includes('spec.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'));
  assert.ok(errs.includes(`spec.tolerations[2].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`));
  assert.ok(errs.includes('spec.tolerations[3].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'));
});

test('pod updates may only change images, deadlines and add tolerations', () => {
  const old = pod({ containers: [{ name: 'c', image: 'nginx:1' }] });
  old.metadata.resourceVersion = '3';
  const imageOnly = structuredClone(old);
  (imageOnly.spec as { containers: { image: string }[] }).containers[0].image = 'nginx:2';
  assert.deepEqual(validateObject(podGvk, imageOnly, old), []);
  const withToleration = structuredClone(old);
  (withToleration.spec as { tolerations: unknown[] }).tolerations.push({ key: 'x', operator: 'Exists' });
  assert.deepEqual(validateObject(podGvk, withToleration, old), []);
  const portChange = structuredClone(old);
  (portChange.spec as { containers: Record<string, unknown>[] }).containers[0].ports = [{ containerPort: 80, protocol: 'TCP' }];
  const errs = validateObject(podGvk, portChange, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'spec');
  assert.ok(errs[0].message.startsWith('Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
});

test('pod updates: containers may not be added, tolerations may not be changed', () => {
  const old = pod({ containers: [{ name: 'c', image: 'nginx:1' }], tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] });
  old.metadata.resourceVersion = '3';
  const added = structuredClone(old);
  (added.spec as { containers: unknown[] }).containers.push({ name: 'd', image: 'x', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
  assert.deepEqual(msgs(validateObject(podGvk, added, old)), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  const seconds = structuredClone(old);
  (seconds.spec as { tolerations: { tolerationSeconds?: number }[] }).tolerations[0].tolerationSeconds = 1;
  assert.deepEqual(validateObject(podGvk, seconds, old), [], 'tolerationSeconds may change');
  const changed = structuredClone(old);
  (changed.spec as { tolerations: { key?: string }[] }).tolerations[0].key = 'b';
  assert.deepEqual(msgs(validateObject(podGvk, changed, old)), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
});

test('env fieldRef paths', () => {
  const ref = (fieldPath: string) => ({ name: 'E', valueFrom: { fieldRef: { fieldPath } } });
  const errs = msgs(validateObject(podGvk, pod({ containers: [{ name: 'c', image: 'x', env: [ref('metadata.name'), ref("metadata.labels['app']"), ref('status.phase'), ref('foo.bar')] }] })));
  assert.deepEqual(errs, [
    'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    'spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: Invalid value: "foo.bar": error converting fieldPath: field label not supported: foo.bar',
  ]);
});

test('unparsable quantities map to upstream\'s 400 decode message', () => {
  const errs = validateObject(podGvk, pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '1Gb' } } }] }));
  assert.equal(decodeErrorMessage(podGvk, errs), `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  assert.equal(decodeErrorMessage(podGvk, validateObject(podGvk, pod({ containers: [] }))), undefined);
});
