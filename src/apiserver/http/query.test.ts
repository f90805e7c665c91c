import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareKubeVersions, storageVersionHash } from './discovery.ts';
import { negotiateDiscovery, negotiateResource, negotiateWatch, parseAccept } from './negotiate.ts';
import { parseDeleteOptions, parseFieldManager, parseGoBool, parseGoDuration, parseListQuery } from './query.ts';
import { parseRoute } from './routes.ts';

test('ParseBool spellings', () => {
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
    assert.equal(parseGoBool(t), true);
  }
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) {
    assert.equal(parseGoBool(f), false);
  }
  assert.equal(parseGoBool('yes'), undefined);
  assert.equal(parseGoBool('tRUE'), undefined);
});

test('fieldManager defaults from the User-Agent program name', () => {
  const q = new URLSearchParams();
  assert.equal(parseFieldManager(q, 'kubectl/v1.35.2 (linux/amd64) kubernetes/fdc9d74', 'CreateOptions'), 'kubectl');
  assert.equal(parseFieldManager(q, 'Helm/4.1.4', 'CreateOptions'), 'Helm');
  assert.equal(parseFieldManager(new URLSearchParams('fieldManager=kubectl-client-side-apply'), 'kubectl/v1.35.2', 'CreateOptions'), 'kubectl-client-side-apply');
  assert.equal(parseFieldManager(q, undefined, 'CreateOptions'), undefined);
});

test('list options validation', () => {
  assert.deepEqual(parseListQuery(new URLSearchParams('limit=500&labelSelector=app%3Dweb')).limit, 500);
  assert.throws(() => parseListQuery(new URLSearchParams('limit=-1')), /limit: Invalid value/);
  assert.throws(() => parseListQuery(new URLSearchParams('resourceVersionMatch=Exact')), /resourceVersionMatch is forbidden unless resourceVersion is provided/);
  assert.throws(() => parseListQuery(new URLSearchParams('limit=abc')), /invalid syntax/);
});

test('delete options: from the body when there is one, else from the query; validation', () => {
  const fromBody = parseDeleteOptions(new URLSearchParams('gracePeriodSeconds=0'), { propagationPolicy: 'Background', dryRun: ['All'] });
  assert.deepEqual([fromBody.options.gracePeriodSeconds, fromBody.options.propagationPolicy, fromBody.dryRun], [undefined, 'Background', true]);
  const fromQuery = parseDeleteOptions(new URLSearchParams('gracePeriodSeconds=0&orphanDependents=false'), undefined);
  assert.deepEqual([fromQuery.options.gracePeriodSeconds, fromQuery.options.orphanDependents, fromQuery.dryRun], [0, false, false]);
  assert.throws(() => parseDeleteOptions(new URLSearchParams(), { kind: 'Pod' }), /cannot be converted to DeleteOptions/);
  assert.throws(() => parseDeleteOptions(new URLSearchParams('propagationPolicy=Sometimes'), undefined), /propagationPolicy: Unsupported value/);
});

test('Accept negotiation', () => {
  assert.deepEqual(parseAccept('a/b;q=0.5, c/d').map((r) => r.type), ['c/d', 'a/b']);
  assert.equal(negotiateResource('application/json;as=Table;v=v1;g=meta.k8s.io,application/json', true, true).shape, 'Table');
  assert.equal(negotiateResource('application/json;as=Table;v=v1;g=meta.k8s.io,application/json', false, false).shape, 'Object');
  assert.equal(negotiateResource('application/vnd.kubernetes.protobuf,application/json', true, false).contentType, 'application/json');
  assert.throws(() => negotiateResource('application/json;as=Table;v=v2;g=meta.k8s.io', true, true), /only the following media types/);
  assert.equal(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'), 'v2');
  assert.equal(negotiateDiscovery('application/json, */*'), undefined);
  assert.equal(negotiateWatch('application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json').shape, 'PartialObjectMetadata');
  assert.equal(negotiateWatch('application/yaml').contentType, 'application/json');
});

test('routes', () => {
  const scope = (g: string, _v: string, r: string): boolean | undefined => (r === 'pods' ? true : r === 'namespaces' && g === '' ? false : undefined);
  assert.deepEqual(parseRoute('/api/v1/namespaces/ns1/pods/p/status', scope), { kind: 'resource', group: '', version: 'v1', resource: 'pods', namespace: 'ns1', name: 'p', subresource: 'status', subpath: undefined, legacyWatch: false });
  const nsStatus = parseRoute('/api/v1/namespaces/ns1/status', scope);
  assert.equal(nsStatus.kind === 'resource' ? `${nsStatus.resource}/${nsStatus.name}/${nsStatus.subresource}` : '', 'namespaces/ns1/status');
  const watch = parseRoute('/apis/apps/v1/watch/namespaces/x/deployments', () => true);
  assert.equal(watch.kind === 'resource' && watch.legacyWatch && watch.namespace === 'x', true);
  assert.equal(parseRoute('/apis/apps', scope).kind, 'apiGroup');
  assert.equal(parseRoute('/healthz/etcd', scope).kind, 'health');
  // A trailing slash is dropped, percent-escapes are decoded, a bad escape is no route, an empty segment inside stays.
  const slash = parseRoute('/api/v1/namespaces/ns1/pods/', scope);
  assert.equal(slash.kind === 'resource' ? `${slash.namespace}/${slash.resource}/${String(slash.name)}` : '', 'ns1/pods/undefined');
  const escaped = parseRoute('/api/v1/namespaces/ns%31/pods/a%2Fb', scope);
  assert.equal(escaped.kind === 'resource' ? `${escaped.namespace}/${String(escaped.name)}` : '', 'ns1/a/b');
  assert.equal(parseRoute('/api/v1/namespaces/%E0%A4%A/pods', scope).kind, 'notFound');
  assert.equal(parseRoute('/api/v1//pods', scope).kind, 'notFound');
  assert.equal(parseRoute('/', scope).kind, 'root');
});

test('version ordering and storage version hash', () => {
  assert.deepEqual(['v1beta1', 'v1alpha1', 'v2', 'v1', 'v2beta2'].sort(compareKubeVersions), ['v2', 'v1', 'v2beta2', 'v1beta1', 'v1alpha1']);
  // Upstream's published hash for apps/v1 Deployment.
  assert.equal(storageVersionHash('apps', 'v1', 'Deployment'), '8aSe+NMegvE=');
});

test('Go durations', () => {
  assert.equal(parseGoDuration('32s'), 32);
  assert.equal(parseGoDuration('1m30s'), 90);
  assert.equal(parseGoDuration('500ms'), 0.5);
  assert.equal(parseGoDuration('32'), undefined);
  assert.equal(parseGoDuration(''), undefined);
});
