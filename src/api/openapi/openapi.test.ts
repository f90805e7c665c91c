import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceDescription } from '../resource.ts';
import { builtinResources } from '../resources/index.ts';
import { registerCustomSchema, unregisterCustomSchema } from '../schema/index.ts';
import { openApiV2, openApiV3Document, openApiV3Index } from './index.ts';
import { operationGroupVersion, operationTag } from './naming.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only document probing

const widget: ResourceDescription = {
  group: 'example.com', version: 'v1', kind: 'Widget', listKind: 'WidgetList', resource: 'widgets', singular: 'widget', namespaced: false,
  shortNames: [], categories: [], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [{ name: 'status', group: 'example.com', version: 'v1', kind: 'Widget', verbs: ['get', 'patch', 'update'] }], hasStatus: true, bumpsGeneration: true, fieldSelectors: {},
};

test('v3 index lists every served group-version with a content hash', () => {
  const idx = openApiV3Index(builtinResources);
  assert.match(idx.paths['api/v1']?.serverRelativeURL ?? '', /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  assert.match(idx.paths['apis/apps/v1']?.serverRelativeURL ?? '', /^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
  assert.deepEqual(openApiV3Index(builtinResources), idx, 'hashes are deterministic');
});

test('v3 Deployment PATCH operation carries fieldValidation, force and an object GVK', () => {
  const doc = openApiV3Document('apis/apps/v1', builtinResources) as Json;
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  const names = (patch.parameters as Json[]).map((p) => p.name);
  assert.deepEqual(names, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  assert.ok('application/strategic-merge-patch+json' in patch.requestBody.content);
  assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch;
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  const list = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].get;
  assert.equal(list['x-kubernetes-action'], 'list');
  assert.equal(list.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.apps.v1.DeploymentList');
  assert.equal(doc.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments'].get['x-kubernetes-action'], 'watchlist');
  assert.ok(doc.paths['/apis/apps/v1/deployments'].get, 'all-namespaces list');
  const schema = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(schema.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  assert.ok(doc.components.schemas['io.k8s.api.core.v1.PodSpec'], 'types reachable across groups are included');
  assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
});

test('v3 Pod schema: containers keyed by name with list-map keys, quantities and int-or-string', () => {
  const doc = openApiV3Document('api/v1', builtinResources) as Json;
  const containers = doc.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(containers.items.$ref, '#/components/schemas/io.k8s.api.core.v1.Container');
  assert.deepEqual(doc.components.schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.equal(doc.components.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['x-kubernetes-int-or-string'], true);
  assert.equal(openApiV3Document('apis/nothing/v1', builtinResources), undefined);
});

test('v3 CRD document: schema from the CRD, synthesized list, hash changes with the schema', () => {
  const resources = [...builtinResources, widget];
  const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
  try {
    registerCustomSchema(gvk, { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } });
    const before = openApiV3Index(resources).paths['apis/example.com/v1']?.serverRelativeURL;
    const doc = openApiV3Document('apis/example.com/v1', resources) as Json;
    const schema = doc.components.schemas['com.example.v1.Widget'];
    assert.equal(schema.properties.spec.properties.size.type, 'integer');
    assert.equal(schema.properties.kind.type, 'string');
    assert.deepEqual(schema.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.equal(doc.components.schemas['com.example.v1.WidgetList'].properties.items.items.$ref, '#/components/schemas/com.example.v1.Widget');
    assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    const patch = doc.paths['/apis/example.com/v1/widgets/{name}'].patch;
    assert.equal(patch.operationId, 'patchExampleComV1Widget');
    assert.ok(doc.paths['/apis/example.com/v1/widgets/{name}/status'].put);
    registerCustomSchema(gvk, { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'string' } } } } });
    const after = openApiV3Index(resources).paths['apis/example.com/v1']?.serverRelativeURL;
    assert.notEqual(before, after);
    assert.equal((openApiV3Document('apis/example.com/v1', resources) as Json).components.schemas['com.example.v1.Widget'].properties.spec.properties.size.type, 'string');
  } finally {
    unregisterCustomSchema(gvk);
  }
});

test('v2 document is swagger 2.0 with #/definitions refs and v2 scalar forms', () => {
  const doc = openApiV2(builtinResources) as Json;
  assert.equal(doc.swagger, '2.0');
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.ok((patch.parameters as Json[]).some((p) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
  assert.equal((patch.parameters as Json[])[0]?.in, 'body');
  assert.equal(doc.definitions['io.k8s.api.apps.v1.Deployment'].properties.spec.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  assert.deepEqual(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, 'string');
  assert.equal(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
  assert.equal(doc.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
  assert.ok(!JSON.stringify(doc).includes('#/components/schemas/'));
});

test('operation naming follows upstream', () => {
  assert.equal(operationGroupVersion('', 'v1'), 'CoreV1');
  assert.equal(operationGroupVersion('rbac.authorization.k8s.io', 'v1'), 'RbacAuthorizationV1');
  assert.equal(operationGroupVersion('stable.example.com', 'v1beta1'), 'StableExampleComV1beta1');
  assert.equal(operationTag('rbac.authorization.k8s.io', 'v1'), 'rbacAuthorization_v1');
  assert.equal(operationTag('', 'v1'), 'core_v1');
});
