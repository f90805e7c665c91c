import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createFakeRegistry, type FakeRegistry } from './fake-registry.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const kubectlDiscoveryAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

let registry: FakeRegistry;
let server: TestServer;
const logged: string[] = [];

before(async () => {
  registry = createFakeRegistry();
  server = await startTestServer({ registry, log: (m) => logged.push(m), healthChecks: [{ name: 'etcd', check: () => undefined }] });
});
after(async () => {
  await server.close();
});

async function call(method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; text: string; json: Record<string, unknown> }> {
  const res = await fetch(server.url + path, { method, body: init.body, headers: { 'content-type': 'application/json', ...init.headers } });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // non-JSON bodies (health, metrics) are checked as text
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('anonymous access', () => {
  test('version and health endpoints are open, the rest is 401', async () => {
    const v = await call('GET', '/version', { headers: { 'x-test-anonymous': '1' } });
    assert.equal(v.status, 200);
    assert.equal(v.json.major, '1');
    assert.equal(v.json.minor, '35');
    assert.match(String(v.json.gitVersion), /^v1\.35\.0-k8ts/);
    const h = await call('GET', '/healthz', { headers: { 'x-test-anonymous': '1' } });
    assert.equal(h.text, 'ok');
    const r = await call('GET', '/readyz?verbose', { headers: { 'x-test-anonymous': '1' } });
    assert.equal(r.text, '[+]ping ok\n[+]etcd ok\nreadyz check passed\n');
    const denied = await call('GET', '/api/v1/pods', { headers: { 'x-test-anonymous': '1' } });
    assert.equal(denied.status, 401);
    assert.equal(denied.json.reason, 'Unauthorized');
    assert.equal(denied.json.kind, 'Status');
  });
});

describe('discovery', () => {
  test('aggregated /apis and /api with the exact content type', async () => {
    const apis = await call('GET', '/apis?timeout=32s', { headers: { accept: kubectlDiscoveryAccept } });
    assert.equal(apis.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(apis.json.kind, 'APIGroupDiscoveryList');
    const items = apis.json.items as { metadata: { name: string }; versions: { version: string; resources: Record<string, unknown>[] }[] }[];
    const apps = items.find((i) => i.metadata.name === 'apps');
    const deploy = apps?.versions[0].resources.find((r) => r.resource === 'deployments');
    assert.deepEqual(deploy?.shortNames, ['deploy']);
    assert.deepEqual(deploy?.categories, ['all']);
    assert.deepEqual((deploy?.subresources as { subresource: string; responseKind: unknown }[]).find((s) => s.subresource === 'scale')?.responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.ok(items.some((i) => i.metadata.name === 'authorization.k8s.io'), 'SSAR group is discoverable');
    const core = await call('GET', '/api', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' } });
    assert.equal(core.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    const coreItems = core.json.items as { versions: { resources: { resource: string; scope: string }[] }[] }[];
    assert.equal(coreItems[0].versions[0].resources.find((r) => r.resource === 'namespaces')?.scope, 'Cluster');
  });

  test('legacy documents', async () => {
    const api = await call('GET', '/api', { headers: { accept: 'application/json' } });
    assert.equal(api.headers.get('content-type'), 'application/json');
    assert.equal(api.json.kind, 'APIVersions');
    assert.deepEqual(api.json.versions, ['v1']);
    const groups = await call('GET', '/apis');
    assert.equal(groups.json.kind, 'APIGroupList');
    const apps = (groups.json.groups as { name: string; preferredVersion: unknown }[]).find((g) => g.name === 'apps');
    assert.deepEqual(apps?.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
    const v1 = await call('GET', '/api/v1');
    assert.equal(v1.json.kind, 'APIResourceList');
    const res = v1.json.resources as Record<string, unknown>[];
    const pods = res.find((r) => r.name === 'pods');
    assert.equal(pods?.singularName, 'pod');
    assert.equal(typeof pods?.storageVersionHash, 'string');
    assert.ok(res.some((r) => r.name === 'pods/status' && r.kind === 'Pod'));
    const appsV1 = await call('GET', '/apis/apps/v1');
    const scale = (appsV1.json.resources as Record<string, unknown>[]).find((r) => r.name === 'deployments/scale');
    assert.deepEqual([scale?.group, scale?.version, scale?.kind], ['autoscaling', 'v1', 'Scale']);
    assert.equal((await call('GET', '/apis/apps')).json.kind, 'APIGroup');
    assert.equal((await call('GET', '/apis/nope/v1')).status, 404);
  });

  test('a new resource shows up after onResourcesChanged', async () => {
    registry.addResource({
      group: 'example.com', version: 'v1', kind: 'Widget', listKind: 'WidgetList', resource: 'widgets', singular: 'widget', namespaced: true,
      shortNames: [], categories: [], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [], hasStatus: false, bumpsGeneration: true, fieldSelectors: {},
    });
    const g = await call('GET', '/apis/example.com/v1');
    assert.equal(g.status, 200);
    assert.equal((g.json.resources as { name: string }[])[0].name, 'widgets');
  });
});

describe('CRUD', () => {
  test('create, conflict, get, update, patch, delete a configmap', async () => {
    const body = JSON.stringify({ metadata: { name: 'cm1' }, data: { a: '1' } });
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', { body, headers: { 'user-agent': 'kubectl/v1.35.2 (linux/amd64) kubernetes/fdc9d74' } });
    assert.equal(created.status, 201);
    assert.equal(created.json.kind, 'ConfigMap');
    assert.equal((created.json.metadata as { namespace: string }).namespace, 'default');
    const ctx = registry.contexts.at(-1);
    assert.equal(ctx?.fieldManager, 'kubectl');
    assert.equal(ctx?.fieldValidation, 'Warn');
    assert.equal(ctx?.dryRun, false);
    assert.equal(ctx?.user.username, 'alice');
    const again = await call('POST', '/api/v1/namespaces/default/configmaps', { body });
    assert.equal(again.status, 409);
    assert.equal(again.json.reason, 'AlreadyExists');
    const got = await call('GET', '/api/v1/namespaces/default/configmaps/cm1');
    assert.equal((got.json.data as { a: string }).a, '1');
    const missing = await call('GET', '/api/v1/namespaces/default/configmaps/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'configmaps "nope" not found');
    const put = await call('PUT', '/api/v1/namespaces/default/configmaps/cm1', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: '2' } }) });
    assert.equal(put.status, 200);
    const putNew = await call('PUT', '/api/v1/namespaces/default/configmaps/cm2', { body: JSON.stringify({ metadata: { name: 'cm2' } }) });
    assert.equal(putNew.status, 201);
    const patched = await call('PATCH', '/api/v1/namespaces/default/configmaps/cm1?fieldManager=kubectl-label', { body: JSON.stringify({ metadata: { labels: { x: 'y' } } }), headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(patched.status, 200);
    assert.equal(registry.contexts.at(-1)?.fieldManager, 'kubectl-label');
    const bad = await call('PATCH', '/api/v1/namespaces/default/configmaps/cm1', { body: '{}', headers: { 'content-type': 'text/plain' } });
    assert.equal(bad.status, 415);
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/cm1', { body: JSON.stringify({ propagationPolicy: 'Background' }) });
    assert.equal(del.status, 200);
    assert.equal(del.json.kind, 'Status');
    assert.equal(del.json.status, 'Success');
    assert.deepEqual((del.json.details as { kind: string; name: string }).kind, 'configmaps');
  });

  test('deleting a pod returns the pod; a pending delete returns the object', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', { body: JSON.stringify({ metadata: { name: 'p1' } }) });
    await call('POST', '/api/v1/namespaces/default/pods', { body: JSON.stringify({ metadata: { name: 'p2' } }) });
    const del = await call('DELETE', '/api/v1/namespaces/default/pods/p1?gracePeriodSeconds=0');
    assert.equal(del.status, 200);
    assert.equal(del.json.kind, 'Pod');
    registry.pendingDeletes = true;
    try {
      const pending = await call('DELETE', '/api/v1/namespaces/default/pods/p2', { body: JSON.stringify({ orphanDependents: false }) });
      assert.equal(pending.status, 202);
      assert.ok((pending.json.metadata as { deletionTimestamp?: string }).deletionTimestamp);
    } finally {
      registry.pendingDeletes = false;
    }
  });

  test('cluster-scoped and cluster-wide paths', async () => {
    const ns = await call('POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }) });
    assert.equal(ns.status, 201);
    assert.equal((await call('GET', '/api/v1/namespaces/team')).json.kind, 'Namespace');
    await call('POST', '/api/v1/namespaces/team/pods', { body: JSON.stringify({ metadata: { name: 'tp' } }) });
    const all = await call('GET', '/api/v1/pods');
    assert.equal(all.json.kind, 'PodList');
    assert.ok((all.json.items as { metadata: { name: string } }[]).some((p) => p.metadata.name === 'tp'));
    assert.equal((await call('POST', '/api/v1/pods', { body: '{}' })).status, 405);
    assert.equal((await call('GET', '/api/v1/pods/tp')).status, 404);
    assert.equal((await call('PUT', '/api/v1/namespaces/team/pods')).status, 405);
    assert.equal((await call('GET', '/api/v1/nothings')).status, 404);
    assert.equal((await call('GET', '/nowhere')).status, 404);
  });

  test('request validation errors', async () => {
    const body = JSON.stringify({ metadata: { name: 'v1' } });
    const dry = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=Foo', { body });
    assert.equal(dry.status, 422);
    assert.match(String(dry.json.message), /dryRun: Unsupported value/);
    const dryOk = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body });
    assert.equal(dryOk.status, 201);
    assert.equal(registry.contexts.at(-1)?.dryRun, true);
    const malformed = await call('POST', '/api/v1/namespaces/default/configmaps', { body: '{"metadata":' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.reason, 'BadRequest');
    const wrongNs = await call('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ metadata: { name: 'x', namespace: 'other' } }) });
    assert.equal(wrongNs.status, 400);
    const wrongVersion = await call('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'apps/v1', metadata: { name: 'x' } }) });
    assert.equal(wrongVersion.status, 400);
    const badBool = await call('GET', '/api/v1/namespaces/default/configmaps?watch=maybe');
    assert.equal(badBool.status, 400);
    const notAcceptable = await call('GET', '/api/v1/namespaces/default/configmaps', { headers: { accept: 'text/html' } });
    assert.equal(notAcceptable.status, 406);
    assert.equal(notAcceptable.json.reason, 'NotAcceptable');
  });

  test('YAML bodies, warnings and the apply fieldManager rule', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', { body: 'metadata:\n  name: y1\nbogus: 1\n', headers: { 'content-type': 'application/yaml' } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('warning'), '299 - "unknown field \\"bogus\\""');
    const noManager = await call('PATCH', '/api/v1/namespaces/default/configmaps/y1', { body: '{}', headers: { 'content-type': 'application/apply-patch+yaml' } });
    assert.equal(noManager.status, 422);
    const applied = await call('PATCH', '/api/v1/namespaces/default/configmaps/y2?fieldManager=kubectl&force=true', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y2' } }), headers: { 'content-type': 'application/apply-patch+yaml' } });
    assert.equal(applied.status, 201);
  });

  test('protobuf bodies are decoded (kubectl auth whoami, helm DeleteOptions)', async () => {
    const field = (tag: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([tag, bytes.length]), bytes]);
    const typeMeta = Buffer.concat([field(0x0a, Buffer.from('authentication.k8s.io/v1')), field(0x12, Buffer.from('SelfSubjectReview'))]);
    const ssrBody = Buffer.concat([Buffer.from('6b387300', 'hex'), field(0x0a, typeMeta), field(0x12, Buffer.alloc(0))]);
    const ssr = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: ssrBody, headers: { 'content-type': 'application/vnd.kubernetes.protobuf' } });
    assert.equal(ssr.status, 201);
    assert.equal(((ssr.json.status as { userInfo: { username: string } }).userInfo).username, 'alice');
    await call('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ metadata: { name: 'pb' } }) });
    const helmDeleteOptions = Buffer.from('6b3873000a130a027631120d44656c6574654f7074696f6e7312001a002200', 'hex');
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/pb', { body: helmDeleteOptions, headers: { 'content-type': 'application/vnd.kubernetes.protobuf' } });
    assert.equal(del.status, 200);
    const garbage = await call('POST', '/api/v1/namespaces/default/configmaps', { body: Buffer.from('nope'), headers: { 'content-type': 'application/vnd.kubernetes.protobuf' } });
    assert.equal(garbage.status, 400);
  });

  test('an unexpected registry exception is a 500 Status and a log line', async () => {
    const orig = registry.list;
    registry.list = () => Promise.reject(new Error('boom'));
    try {
      const res = await call('GET', '/api/v1/namespaces/default/configmaps');
      assert.equal(res.status, 500);
      assert.equal(res.json.reason, 'InternalError');
      assert.ok(logged.some((l) => l.includes('boom')));
    } finally {
      registry.list = orig;
    }
  });
});

describe('routing details', () => {
  test('namespace subresources, subresource verbs, metadata-only GET, anonymous metrics', async () => {
    await call('POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'sub-ns' } }) });
    const status = await call('GET', '/api/v1/namespaces/sub-ns/status');
    assert.equal(status.status, 200);
    assert.equal((status.json.metadata as { name: string }).name, 'sub-ns');
    assert.equal((await call('GET', '/api/v1/namespaces/sub-ns/nothing')).status, 404);
    await call('POST', '/apis/apps/v1/namespaces/default/deployments', { body: JSON.stringify({ metadata: { name: 'd1' } }) });
    assert.equal((await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/d1/scale')).status, 405);
    assert.equal((await call('POST', '/apis/apps/v1/namespaces/default/deployments/d1')).status, 405);
    const pom = await call('GET', '/apis/apps/v1/namespaces/default/deployments/d1', { headers: { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' } });
    assert.equal(pom.json.kind, 'PartialObjectMetadata');
    assert.equal(pom.headers.get('content-type'), 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io');
    assert.equal((await call('GET', '/metrics', { headers: { 'x-test-anonymous': '1' } })).status, 401);
    assert.equal((await call('GET', '/openapi/v3', { headers: { 'x-test-anonymous': '1' } })).status, 401);
    const v3 = await call('GET', '/openapi/v3');
    assert.ok((v3.json.paths as Record<string, unknown>)['apis/apps/v1']);
    assert.equal((await call('GET', '/openapi/v3/apis/nope/v1')).status, 404);
    const url = (v3.json.paths as Record<string, { serverRelativeURL: string }>)['apis/apps/v1'].serverRelativeURL;
    const doc = await call('GET', url);
    assert.equal(doc.status, 200);
    assert.equal(doc.headers.get('cache-control'), 'public, immutable');
    const etag = doc.headers.get('etag') ?? '';
    assert.equal((await call('GET', url, { headers: { 'if-none-match': etag } })).status, 304);
    const stale = await fetch(`${server.url}/openapi/v3/apis/apps/v1?hash=stale`, { redirect: 'manual' });
    assert.equal(stale.status, 301);
    assert.equal(stale.headers.get('location'), url);
    const proto = await call('GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.deepEqual([proto.status, proto.headers.get('content-type')], [200, 'application/octet-stream']);
    assert.equal((await call('GET', '/openapi/v2', { headers: { accept: 'application/vnd.kubernetes.protobuf' } })).status, 406);
    assert.equal((await call('GET', '/openapi/v2', { headers: { accept: 'application/json' } })).json.swagger, '2.0');
  });
});

describe('request timeout', () => {
  test('a request the registry never answers gets 504 Timeout after ?timeout=', async () => {
    const orig = registry.get;
    registry.get = () => new Promise(() => undefined);
    try {
      const res = await call('GET', '/api/v1/namespaces/default/configmaps/stuck?timeout=200ms');
      assert.equal(res.status, 504);
      assert.equal(res.json.reason, 'Timeout');
    } finally {
      registry.get = orig;
    }
  });
});

describe('body limits', () => {
  test('413 for a declared oversized body and for an oversized chunked body', async () => {
    const big = await call('POST', '/api/v1/namespaces/default/configmaps', { body: Buffer.alloc(3 * 1024 * 1024 + 1, 32) });
    assert.equal(big.status, 413);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 32);
      let sent = 0;
      const pump = (): void => {
        while (sent < 8) {
          sent += 1;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    assert.equal(status, 413);
    // The connection (kept alive by the global agent) still serves the next request.
    const next = await new Promise<number>((resolve, reject) => {
      request(`${server.url}/version`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    assert.equal(next, 200);
  });
});

describe('reviews', () => {
  test('selfsubjectreviews returns the user; selfsubjectaccessreviews allows', async () => {
    const ssr = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }) });
    assert.equal(ssr.status, 201);
    assert.deepEqual((ssr.json.status as { userInfo: unknown }).userInfo, { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'] });
    const ssar = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: JSON.stringify({ spec: { resourceAttributes: { verb: 'create', resource: 'pods', namespace: 'default' } } }) });
    assert.equal(ssar.status, 201);
    assert.equal((ssar.json.status as { allowed: boolean }).allowed, true);
    const ssrr = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { body: JSON.stringify({ spec: { namespace: 'default' } }) });
    assert.equal(ssrr.status, 201);
    assert.deepEqual((ssrr.json.status as { resourceRules: unknown[] }).resourceRules, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    assert.equal((await call('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status, 405);
    assert.equal((await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: JSON.stringify({ spec: {} }) })).status, 422);
  });
});

describe('metrics', () => {
  test('requests are counted by verb and resource', async () => {
    await call('GET', '/api/v1/namespaces/default/configmaps');
    const m = await call('GET', '/metrics');
    assert.match(m.text, /apiserver_request_total\{verb="LIST",group="",version="v1",resource="configmaps",subresource="",code="200"\} \d+/);
    assert.match(m.text, /apiserver_request_duration_seconds_bucket/);
  });
});
