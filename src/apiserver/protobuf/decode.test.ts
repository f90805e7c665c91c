import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../../api/errors.ts';
import { decodeProtobufBody, PROTOBUF_MAGIC } from './decode.ts';
import { messageType } from './schema.ts';

/** Wraps a message the way client-go does: magic + runtime.Unknown{typeMeta, raw, "", ""}. */
function envelope(apiVersion: string, kind: string, message: string, value: Record<string, unknown>): Buffer {
  const type = messageType(message);
  const raw = type.encode(type.fromObject(value)).finish();
  const unknown = messageType('Unknown');
  const env = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish();
  return Buffer.concat([PROTOBUF_MAGIC, env]);
}

const GO_ZERO_TIME = { seconds: -62135596800, nanos: 0 };

test('helm uninstall: the exact empty DeleteOptions bytes', () => {
  const body = Buffer.from('6b3873000a130a027631120d44656c6574654f7074696f6e7312001a002200', 'hex');
  assert.deepEqual(decodeProtobufBody(body), { kind: 'DeleteOptions', apiVersion: 'v1' });
});

test('kubectl auth can-i: SelfSubjectAccessReview bytes captured from kubectl 1.35', () => {
  const body = Buffer.from('6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123f0a100a0012001a0022002a0032003800420012210a1f0a0764656661756c7412066372656174651a0022002a04706f647332003a001a08080012001a0020001a002200', 'hex');
  assert.deepEqual(decodeProtobufBody(body), {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: {},
    spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
    status: { allowed: false },
  });
});

test('kubectl auth whoami: SelfSubjectReview bytes captured from kubectl 1.35', () => {
  const body = Buffer.from('6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200', 'hex');
  const obj = decodeProtobufBody(body) as Record<string, unknown>;
  assert.equal(obj.kind, 'SelfSubjectReview');
  assert.equal(obj.apiVersion, 'authentication.k8s.io/v1');
  assert.deepEqual(obj.metadata, {});
});

test('helm release Secret: metadata, labels, bytes data as base64, Go zero values dropped', () => {
  const release = Buffer.from('H4sIAAAAAAAA/release-payload', 'utf8');
  const body = envelope('v1', 'Secret', 'Secret', {
    metadata: {
      name: 'sh.helm.release.v1.x.v1', generateName: '', namespace: '', selfLink: '', uid: '', resourceVersion: '', generation: 0,
      creationTimestamp: GO_ZERO_TIME, labels: { name: 'x', owner: 'helm', status: 'pending-install', version: '1' }, annotations: { a: 'b' },
    },
    data: { release },
    type: 'helm.sh/release.v1',
  });
  assert.deepEqual(decodeProtobufBody(body), {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 'sh.helm.release.v1.x.v1', labels: { name: 'x', owner: 'helm', status: 'pending-install', version: '1' }, annotations: { a: 'b' } },
    data: { release: release.toString('base64') },
    type: 'helm.sh/release.v1',
  });
});

test('Secret update: resourceVersion, timestamps, immutable=false and stringData survive', () => {
  const body = envelope('v1', 'Secret', 'Secret', {
    metadata: { name: 's', namespace: 'ns', resourceVersion: '42', uid: 'u-1', creationTimestamp: { seconds: 1700000000, nanos: 0 }, finalizers: ['f'] },
    stringData: { k: 'v' },
    immutable: false,
  });
  assert.deepEqual(decodeProtobufBody(body), {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 's', namespace: 'ns', resourceVersion: '42', uid: 'u-1', creationTimestamp: '2023-11-14T22:13:20Z', finalizers: ['f'] },
    stringData: { k: 'v' },
    immutable: false,
  });
});

test('DeleteOptions pointer fields keep zero values', () => {
  const body = envelope('v1', 'DeleteOptions', 'DeleteOptions', { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u1', resourceVersion: '7' }, dryRun: ['All'] });
  assert.deepEqual(decodeProtobufBody(body), { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u1', resourceVersion: '7' }, dryRun: ['All'] });
});

test('other kinds are 415, bad magic and garbage are 400', () => {
  const pod = envelope('v1', 'Pod', 'ConfigMap', {});
  assert.throws(() => decodeProtobufBody(pod), (e: unknown) => e instanceof StatusError && e.code === 415 && /Kind=Pod/.test(e.message));
  assert.throws(() => decodeProtobufBody(Buffer.from('{"kind":"Secret"}')), (e: unknown) => e instanceof StatusError && e.code === 400);
  assert.throws(() => decodeProtobufBody(Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0xff, 0xff])])), (e: unknown) => e instanceof StatusError && e.code === 400);
});
