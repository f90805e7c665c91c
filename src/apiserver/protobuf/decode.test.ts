import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { StatusError } from '../../api/errors.ts';
import { decodeProtobufBody, PROTOBUF_MAGIC, SUPPORTED_PROTOBUF_KINDS } from './decode.ts';
import { messageType } from './schema/index.ts';
import { everyField } from './testdata/cases.ts';

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
    // allowed has no omitempty upstream: Go's JSON body carries it too.
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

test('kubectl create deployment / service nodeport / priorityclass --value=0 / ingress: bytes captured from kubectl 1.35', () => {
  const deploy = decodeProtobufBody(Buffer.from('6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b4010a1d0a02643112001a0022002a003200380042005a090a03617070120264311284010802120b0a090a03617070120264311a6b0a1b0a0012001a0022002a003200380042005a090a0361707012026431124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200', 'hex'));
  assert.deepEqual(deploy, {
    kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'd1', labels: { app: 'd1' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'd1' } }, template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] } }, strategy: {} },
    status: {},
  });
  const svc = decodeProtobufBody(Buffer.from('6b3873000a0d0a027631120753657276696365126a0a1f0a036e703112001a0022002a003200380042005a0a0a0361707012036e703112430a1d0a0738302d38303830120354435018502207080010903f1a002880eb01120a0a0361707012036e70311a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200', 'hex')) as { spec: unknown };
  assert.deepEqual(svc.spec, { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'np1' }, type: 'NodePort' });
  // value is a non-pointer int32 upstream, but 0 is a real priority: kept.
  assert.deepEqual(decodeProtobufBody(Buffer.from('6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312300a120a02703112001a0022002a003200380042001000180022002a14507265656d70744c6f7765725072696f726974791a002200', 'hex')), { kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', metadata: { name: 'p1' }, value: 0, preemptionPolicy: 'PreemptLowerPriority' });
  const ing = decodeProtobufBody(Buffer.from('6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e6772657373125d0a120a02693112001a0022002a00320038004200124312120a07666f6f2e636f6d12076d792d636572741a2d0a07666f6f2e636f6d12220a200a1e0a042f626172120f220d0a047376633112050a0010903f1a0545786163741a020a001a002200', 'hex')) as { spec: unknown };
  // IngressRuleValue is embedded in Go: its http field sits on the rule in JSON.
  assert.deepEqual(ing.spec, { tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }], rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } }] });
});

test('fields our schema lacks are a 415, not silently dropped', () => {
  // A Deployment whose pod spec carries a field number upstream has not assigned (PodSpec 99, a string):
  // Deployment{spec(2): DeploymentSpec{template(3): PodTemplateSpec{spec(2): PodSpec{99: "v", containers}}}}.
  const type = messageType('PodSpec');
  const known = Buffer.from(type.encode(type.fromObject({ containers: [{ name: 'c', image: 'i' }] })).finish());
  const withVolumes = Buffer.concat([Buffer.from([0x9a, 0x06, 0x01, 0x76]), known]);
  const tmplBytes = Buffer.concat([Buffer.from([0x12, withVolumes.length]), withVolumes]);
  const specBytes = Buffer.concat([Buffer.from([0x1a, tmplBytes.length]), tmplBytes]);
  const deployment = Buffer.concat([Buffer.from([0x12, specBytes.length]), specBytes]);
  const unknown = messageType('Unknown');
  const env = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion: 'apps/v1', kind: 'Deployment' }, raw: deployment })).finish();
  assert.throws(() => decodeProtobufBody(Buffer.concat([PROTOBUF_MAGIC, env])), (e: unknown) => e instanceof StatusError && e.code === 415 && /Deployment carries fields/.test(e.message));
});

test('other kinds are 415, bad magic and garbage are 400', () => {
  const event = envelope('v1', 'Event', 'ConfigMap', {});
  assert.throws(() => decodeProtobufBody(event), (e: unknown) => e instanceof StatusError && e.code === 415 && /Kind=Event/.test(e.message));
  assert.throws(() => decodeProtobufBody(Buffer.from('{"kind":"Secret"}')), (e: unknown) => e instanceof StatusError && e.code === 400);
  assert.throws(() => decodeProtobufBody(Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0xff, 0xff])])), (e: unknown) => e instanceof StatusError && e.code === 400);
});

/** Bodies captured from real kubectl by testdata/capture.ts: the protobuf POST and the JSON it stands for. */
const captured = JSON.parse(readFileSync(new URL('./testdata/kubectl-bodies.json', import.meta.url), 'utf8')) as {
  name: string; kubectl: string; command: string; protobuf: string; json?: Record<string, unknown>; served?: Record<string, unknown>;
}[];

/** Go's JSON writes null for unset non-omitempty slices, maps and times; a decoder treats them as absent. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(withoutNulls);
  }
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  }
  return v;
}

test('kubectl create job --from=cronjob: the protobuf Job decodes to the JSON body kubectl would send', () => {
  const jobs = captured.filter((c) => c.command.startsWith('kubectl create job'));
  assert.equal(jobs.length, 2);
  for (const c of jobs) {
    assert.match(c.kubectl, /^v1\.35\./);
    assert.deepEqual(decodeProtobufBody(Buffer.from(c.protobuf, 'hex')), withoutNulls(c.json), `${c.name} (${c.command})`);
  }
});

test('the every-field capture sets every field the schema knows in the job template, and kubectl kept them all', () => {
  const every = captured.find((c) => c.name === 'every field of JobTemplateSpec');
  const template = everyField(messageType('JobTemplateSpec'));
  // kubectl copies the template's spec into the Job unchanged: had kubectl 1.35 not known a field
  // of ours (or read it differently), its JSON would differ here.
  assert.deepEqual(every?.json?.spec, template.spec);
  const podSpec = (template.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  for (const key of ['volumes', 'ephemeralContainers', 'securityContext', 'affinity', 'topologySpreadConstraints', 'dnsConfig', 'hostAliases', 'readinessGates', 'os', 'schedulingGates', 'resources', 'resourceClaims', 'overhead']) {
    assert.ok(key in podSpec, key);
  }
});

test('kubectl certificate approve: the protobuf CSR (every field set) decodes to the served object plus the Approved condition', () => {
  const c = captured.find((x) => x.command.startsWith('kubectl certificate approve'));
  assert.ok(c?.served !== undefined);
  const decoded = decodeProtobufBody(Buffer.from(c.protobuf, 'hex')) as { status: { conditions: { lastUpdateTime?: string }[] } };
  const approvedAt = decoded.status.conditions.at(-1)?.lastUpdateTime;
  assert.match(approvedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const served = c.served as { status: { conditions: unknown[] } };
  const approved = { type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.', lastUpdateTime: approvedAt };
  assert.deepEqual(decoded, { ...served, status: { ...served.status, conditions: [...served.status.conditions, approved] } });
});

test('a set IntOrString pointer holding 0 stays 0 (maxUnavailable: 0), a plain zero one is unset', () => {
  const body = envelope('apps/v1', 'Deployment', 'Deployment', {
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: { type: 0, intVal: 0 }, maxSurge: { type: 1, strVal: '25%' } } } },
  });
  assert.deepEqual((decodeProtobufBody(body) as { spec: unknown }).spec, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } } });
  const svc = envelope('v1', 'Service', 'Service', { spec: { ports: [{ port: 80, targetPort: { type: 0, intVal: 0 } }] } });
  assert.deepEqual((decodeProtobufBody(svc) as { spec: unknown }).spec, { ports: [{ port: 80 }] });
});

test('every supported kind has its message, with metadata as field 1', () => {
  for (const apiVersionKind of SUPPORTED_PROTOBUF_KINDS) {
    const type = messageType(apiVersionKind.slice(apiVersionKind.lastIndexOf('/') + 1));
    if (type.name !== 'DeleteOptions') {
      assert.equal(type.fieldsById[1]?.name, 'metadata', apiVersionKind);
    }
  }
});
