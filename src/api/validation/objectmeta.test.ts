import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalid as statusInvalid } from '../errors.ts';
import { validateObject } from './index.ts';

const cm = { group: '', version: 'v1', kind: 'ConfigMap' };
const msgs = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

test('name is required unless generated', () => {
  assert.deepEqual(msgs(validateObject(cm, { metadata: {} })), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(validateObject(cm, { metadata: { name: 'ok.name-1' } }), []);
});

test('subdomain names use upstream wording', () => {
  assert.deepEqual(msgs(validateObject(cm, { metadata: { name: 'Bad_Name' } })), [
    `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
});

test('namespaces are labels, services DNS-1035 labels, RBAC path segments', () => {
  const ns = validateObject({ group: '', version: 'v1', kind: 'Namespace' }, { metadata: { name: 'a.b' } });
  assert.deepEqual(msgs(ns), ['metadata.name: Invalid value: "a.b": must not contain dots']);
  const svc = validateObject({ group: '', version: 'v1', kind: 'Service' }, { metadata: { name: '1abc' }, spec: { clusterIP: 'None' } });
  assert.ok(msgs(svc).includes(`metadata.name: Invalid value: "1abc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`));
  const role = validateObject({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' }, { metadata: { name: 'system:Admin' } });
  assert.deepEqual(role, []);
  const badRole = validateObject({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' }, { metadata: { name: 'a/b' } });
  assert.deepEqual(msgs(badRole), [`metadata.name: Invalid value: "a/b": may not contain '/'`]);
});

test('generateName prefixes may end with a dash', () => {
  assert.deepEqual(validateObject(cm, { metadata: { generateName: 'web-', name: 'web-x7k2p' } }), []);
  assert.deepEqual(msgs(validateObject(cm, { metadata: { generateName: 'Web-', name: 'web-x7k2p' } })).length, 1);
});

test('labels and annotations', () => {
  const errs = msgs(validateObject(cm, { metadata: { name: 'x', labels: { 'bad key!': 'v', ok: 'bad value!', '/x': 'y' }, annotations: { 'a/b/c': 'x' } } }));
  assert.deepEqual(errs, [
    `metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    `metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    'metadata.labels: Invalid value: "/x": prefix part must be non-empty',
    `metadata.annotations: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
  const big = validateObject(cm, { metadata: { name: 'x', annotations: { a: 'x'.repeat(256 * 1024) } } });
  assert.deepEqual(msgs(big), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  const long = validateObject(cm, { metadata: { name: 'x', labels: { k: 'v'.repeat(64) } } });
  assert.equal(long[0].message.startsWith(`Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`), true);
});

test('finalizers and owner references', () => {
  const errs = msgs(validateObject(cm, { metadata: { name: 'x', finalizers: ['foo', 'example.com/ok', 'kubernetes'], ownerReferences: [{ apiVersion: '', kind: 'X', name: 'n', uid: '' }] } }));
  assert.deepEqual(errs, [
    'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
    'metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('update keeps identity fields immutable', () => {
  const old = { metadata: { name: 'x', namespace: 'default', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(validateObject(cm, { metadata: { ...old.metadata } }, old), []);
  const errs = msgs(validateObject(cm, { metadata: { ...old.metadata, uid: 'u2', resourceVersion: '' } }, old));
  assert.deepEqual(errs, ['metadata.resourceVersion: Invalid value: "": must be specified for an update', 'metadata.uid: Invalid value: "u2": field is immutable']);
  const deleting = { metadata: { ...old.metadata, deletionTimestamp: '2026-01-02T00:00:00Z', finalizers: ['a.io/x'] } };
  assert.deepEqual(msgs(validateObject(cm, { metadata: { ...deleting.metadata, finalizers: ['a.io/x', 'b.io/y'] } }, deleting)), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
  ]);
});

test('errors render into the 422 message kubectl prints', () => {
  const err = statusInvalid('', 'ConfigMap', '', validateObject(cm, { metadata: {} }));
  assert.equal(err.message, 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
});
