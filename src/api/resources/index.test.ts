import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../object.ts';
import { builtinResources, customResourceDescription, findBuiltin } from './index.ts';

function must(group: string, resource: string) {
  const d = findBuiltin(group, resource);
  assert.ok(d, `${group}/${resource} missing`);
  return d;
}

test('every group/resource appears once', () => {
  const keys = builtinResources.map((d) => `${d.group}/${d.version}/${d.resource}`);
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(builtinResources.length >= 40);
});

test('the `all` category is walked in kubectl get all order', () => {
  // kubectl resolves each group/resource to its preferred (first listed) version.
  assert.deepEqual(
    builtinResources.filter((d) => d.categories.includes('all') && findBuiltin(d.group, d.resource) === d).map((d) => d.resource),
    ['pods', 'services', 'replicationcontrollers', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers'],
  );
});

test('names, short names and scope follow upstream', () => {
  assert.deepEqual(must('', 'pods').shortNames, ['po']);
  assert.deepEqual(must('apiextensions.k8s.io', 'customresourcedefinitions').shortNames, ['crd', 'crds']);
  assert.deepEqual(must('apiextensions.k8s.io', 'customresourcedefinitions').categories, ['api-extensions']);
  assert.equal(must('', 'nodes').namespaced, false);
  assert.equal(must('', 'endpoints').kind, 'Endpoints');
  assert.equal(must('', 'endpoints').listKind, 'EndpointsList');
  assert.equal(must('apps', 'deployments').singular, 'deployment');
  assert.equal(must('', 'namespaces').verbs.includes('deletecollection'), false);
  assert.equal(must('autoscaling', 'horizontalpodautoscalers').version, 'v2');
});

test('autoscaling serves HPAs in v2 (preferred) and v1', () => {
  assert.deepEqual(builtinResources.filter((d) => d.resource === 'horizontalpodautoscalers').map((d) => d.version), ['v2', 'v1']);
});

test('subresources', () => {
  assert.deepEqual(
    must('', 'pods').subresources.map((s) => s.name),
    ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'resize', 'status'],
  );
  assert.deepEqual(must('', 'namespaces').subresources.map((s) => s.name), ['finalize', 'status']);
  const token = must('', 'serviceaccounts').subresources.find((s) => s.name === 'token');
  assert.deepEqual([token?.group, token?.kind, token?.verbs], ['authentication.k8s.io', 'TokenRequest', ['create']]);
  for (const r of ['deployments', 'replicasets', 'statefulsets']) {
    const d = must('apps', r);
    assert.deepEqual(d.subresources.map((s) => s.name), ['scale', 'status']);
    assert.equal(d.scale?.specReplicasPath, '.spec.replicas');
  }
  assert.equal(must('', 'replicationcontrollers').scale?.statusReplicasPath, '.status.replicas');
  assert.equal(must('apps', 'daemonsets').hasStatus, true);
  assert.equal(must('', 'configmaps').hasStatus, false);
});

test('storage prefixes where upstream differs', () => {
  assert.equal(must('', 'services').storagePrefix, 'services/specs');
  assert.equal(must('', 'endpoints').storagePrefix, 'services/endpoints');
  assert.equal(must('', 'nodes').storagePrefix, 'minions');
  assert.equal(must('', 'pods').storagePrefix, undefined);
});

test('field selector readers return upstream string forms', () => {
  const pod: KubeObject = { metadata: { name: 'p' }, spec: { nodeName: 'n1' }, status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }] } };
  const f = must('', 'pods').fieldSelectors;
  assert.equal(f['spec.nodeName']?.(pod), 'n1');
  assert.equal(f['spec.hostNetwork']?.(pod), 'false');
  assert.equal(f['status.podIP']?.(pod), '10.0.0.1');
  assert.equal(f['spec.schedulerName']?.(pod), '');
  assert.equal(must('', 'nodes').fieldSelectors['spec.unschedulable']?.({ metadata: {}, spec: { unschedulable: true } }), 'true');
  assert.equal(must('batch', 'jobs').fieldSelectors['status.successful']?.({ metadata: {}, status: { succeeded: 3 } }), '3');
  assert.equal(must('apps', 'replicasets').fieldSelectors['status.replicas']?.({ metadata: {} }), '0');
  assert.equal(must('', 'events').fieldSelectors['involvedObject.name']?.({ metadata: {}, involvedObject: { name: 'web' } }), 'web');
  assert.equal(must('', 'events').fieldSelectors.source?.({ metadata: {}, reportingComponent: 'kubelet' }), 'kubelet');
  assert.equal(must('', 'events').fieldSelectors.source?.({ metadata: {}, source: { component: 'sched' }, reportingComponent: 'kubelet' }), 'sched');
  assert.equal(must('', 'secrets').fieldSelectors.type?.({ metadata: {}, type: 'Opaque' }), 'Opaque');
});

test('customResourceDescription follows the CRD', () => {
  const crd: KubeObject = {
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'], categories: ['all'] },
      versions: [
        { name: 'v1', served: true, storage: true, subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' } }, selectableFields: [{ jsonPath: '.spec.color' }] },
        { name: 'v1beta1', served: true, storage: false },
      ],
    },
  };
  const d = customResourceDescription(crd, 'v1');
  assert.deepEqual([d.group, d.version, d.kind, d.resource, d.namespaced], ['example.com', 'v1', 'Widget', 'widgets', true]);
  assert.deepEqual(d.subresources.map((s) => s.name), ['scale', 'status']);
  assert.equal(d.scale?.specReplicasPath, '.spec.size');
  assert.equal(d.fieldSelectors['spec.color']?.({ metadata: {}, spec: { color: 'red' } }), 'red');
  assert.equal(d.storagePrefix, 'example.com/widgets');
  const beta = customResourceDescription(crd, 'v1beta1');
  assert.equal(beta.hasStatus, false);
  assert.deepEqual(beta.subresources, []);
  assert.throws(() => customResourceDescription(crd, 'v2'));
});

test('customResourceDescription registers the version printer columns', async () => {
  const { tableConvertorFor, unregisterTableConvertors } = await import('../tables/index.ts');
  const crd: KubeObject = {
    metadata: { name: 'gadgets.example.org' },
    spec: { group: 'example.org', scope: 'Cluster', names: { plural: 'gadgets', kind: 'Gadget' }, versions: [{ name: 'v1', additionalPrinterColumns: [{ name: 'Mode', type: 'string', jsonPath: '.spec.mode' }] }] },
  };
  try {
    customResourceDescription(crd, 'v1');
    const conv = tableConvertorFor('example.org', 'gadgets', 'v1');
    assert.deepEqual(conv.columns.map((c) => c.name), ['Name', 'Mode']);
    assert.deepEqual(conv.cells({ metadata: { name: 'g' }, spec: { mode: 'fast' } }, new Date()), ['g', 'fast']);
  } finally {
    unregisterTableConvertors('example.org', 'gadgets');
  }
});

test('events.k8s.io field selectors read v1 fields, or core ones on core-shaped objects', () => {
  const f = builtinResources.find((d) => d.group === 'events.k8s.io')?.fieldSelectors;
  assert.equal(f?.['regarding.name']?.({ metadata: {}, regarding: { name: 'a' } }), 'a');
  assert.equal(f?.['regarding.name']?.({ metadata: {}, involvedObject: { name: 'b' } }), 'b');
  assert.equal(f?.reportingController?.({ metadata: {}, reportingComponent: 'kubelet' }), 'kubelet');
});
