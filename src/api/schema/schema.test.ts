import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { KubeObject } from '../object.ts';
import { applyCustomDefaults, findUnknownFields, getSchema, pruneUnknownFields, registerCustomSchema, removeUnknownFields, resolveRef, schemaAtPath, unregisterCustomSchema, validateAgainstSchema } from './index.ts';
import type { SchemaNode } from './index.ts';

const deployment = { group: 'apps', version: 'v1', kind: 'Deployment' };
const widget = { group: 'example.com', version: 'v1', kind: 'Widget' };

afterEach(() => unregisterCustomSchema(widget));

function deploymentWith(spec: Record<string, unknown>, extraMeta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', ...extraMeta }, spec };
}

test('getSchema gives a built-in kind with upstream names and list extensions', () => {
  const pod = getSchema({ group: '', version: 'v1', kind: 'Pod' });
  assert.deepEqual(pod?.['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.equal(pod?.properties?.spec?.$ref, '#/components/schemas/io.k8s.api.core.v1.PodSpec');
  const containers = resolveRef('#/components/schemas/io.k8s.api.core.v1.PodSpec')?.properties?.containers;
  assert.equal(containers?.['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers?.['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers?.['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers?.['x-kubernetes-list-map-keys'], ['name']);
  const ports = schemaAtPath(pod!, ['spec', 'containers']);
  assert.equal(ports?.type, 'array');
  assert.deepEqual(resolveRef('#/components/schemas/io.k8s.api.core.v1.ContainerPort')?.required, ['containerPort']);
  const owners = resolveRef('#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')?.properties?.ownerReferences;
  assert.equal(owners?.['x-kubernetes-patch-merge-key'], 'uid');
  assert.equal(resolveRef('#/components/schemas/io.k8s.api.core.v1.ResourceRequirements')?.properties?.limits?.additionalProperties && (resolveRef('#/components/schemas/io.k8s.api.core.v1.ResourceRequirements')?.properties?.limits?.additionalProperties as SchemaNode).$ref, '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity');
  assert.equal(resolveRef('#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString')?.['x-kubernetes-int-or-string'], true);
  assert.equal(resolveRef('#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time')?.format, 'date-time');
  assert.equal(getSchema({ group: 'apps', version: 'v1', kind: 'Nope' }), undefined);
});

test('findUnknownFields reports nested, list-item and metadata paths like strict decoding', () => {
  const obj = deploymentWith(
    {
      replicasx: 3,
      selector: { matchLabels: { app: 'x' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i', foo: 1, ports: [{ containerPort: 80, bar: true }], resources: { limits: { cpu: '1', memory: 5 } } }] } },
    },
    { labelz: {} },
  );
  assert.deepEqual(findUnknownFields(deployment, obj), ['metadata.labelz', 'spec.replicasx', 'spec.template.spec.containers[1].foo', 'spec.template.spec.containers[1].ports[0].bar']);
});

test('findUnknownFields accepts valid objects, free-form maps and raw extensions', () => {
  const ok = deploymentWith({ selector: { matchLabels: { 'a.b/c': 'x' } }, template: { metadata: { annotations: { any: 'thing' } }, spec: { containers: [{ name: 'a', image: 'i', env: [{ name: 'X', value: 'y' }] }] } } });
  assert.deepEqual(findUnknownFields(deployment, ok), []);
  const rev: KubeObject = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { anything: { goes: [1, 2] } } };
  assert.deepEqual(findUnknownFields({ group: 'apps', version: 'v1', kind: 'ControllerRevision' }, rev), []);
  const managed: KubeObject = { metadata: { name: 'x', managedFields: [{ manager: 'm', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] } };
  assert.deepEqual(findUnknownFields(deployment, managed), []);
});

test('findUnknownFields reports unknown top-level fields next to string maps', () => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' }, stringData: { a: 'b' }, typo: 1 };
  assert.deepEqual(findUnknownFields({ group: '', version: 'v1', kind: 'Secret' }, cm), ['typo']);
});

const widgetSchema: SchemaNode = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10 },
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        mode: { type: 'string', enum: ['fast', 'slow'] },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'object', properties: { key: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        partly: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
        when: { type: 'string', format: 'date-time' },
      },
    },
  },
};

function widgetWith(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec };
}

test('custom schemas: unknown fields honour preserve-unknown-fields, embedded resources, items and maps', () => {
  registerCustomSchema(widget, widgetSchema);
  const obj = widgetWith({
    size: 1, extra: 1, port: 'http',
    tags: [{ key: 'a', nope: 1 }],
    labels: { one: { v: 'x', w: 'y' } },
    free: { anything: { at: 'all' } },
    partly: { other: 1, known: { a: 'x', b: 'y' } },
    template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { x: 'y', z: 1 } },
  });
  const expected = ['spec.extra', 'spec.tags[0].nope', 'spec.labels[one].w', 'spec.partly.known.b', 'spec.template.metadata.bogus', 'spec.template.spec.z'];
  assert.deepEqual(findUnknownFields(widget, obj), expected);
  assert.equal(getSchema(widget)?.properties?.metadata?.$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const pruned = pruneUnknownFields(widget, obj);
  assert.deepEqual(pruned, expected);
  assert.deepEqual(findUnknownFields(widget, obj), []);
  assert.deepEqual((obj.spec as Record<string, unknown>).free, { anything: { at: 'all' } });
  assert.deepEqual((obj.spec as Record<string, unknown>).partly, { other: 1, known: { a: 'x' } });
  unregisterCustomSchema(widget);
  assert.equal(getSchema(widget), undefined);
});

test('pruneUnknownFields leaves built-in kinds alone', () => {
  const obj = deploymentWith({ bogus: 1 });
  assert.deepEqual(pruneUnknownFields(deployment, obj), []);
  assert.equal((obj.spec as Record<string, unknown>).bogus, 1);
});

test('validateAgainstSchema reports upstream CRD validation messages', () => {
  registerCustomSchema(widget, widgetSchema);
  const messages = (spec: Record<string, unknown>): string[] => validateAgainstSchema(widget, widgetWith(spec)).map((e) => `${e.field}: ${e.message}`);
  assert.deepEqual(messages({ size: 'big' }), ['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"']);
  assert.deepEqual(messages({}), ['spec.size: Required value']);
  assert.deepEqual(messages({ size: 0 }), ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1']);
  assert.deepEqual(messages({ size: 11 }), ['spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10']);
  assert.deepEqual(messages({ size: 1, mode: 'medium' }), ['spec.mode: Unsupported value: "medium": supported values: "fast", "slow"']);
  assert.deepEqual(messages({ size: 1, name: 'a' }), ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']);
  assert.deepEqual(messages({ size: 1, name: 'abcdef' }), ['spec.name: Too long: may not be more than 5 bytes']);
  assert.deepEqual(messages({ size: 1, name: 'AB' }), ["spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"]);
  assert.deepEqual(messages({ size: 1, tags: [] }), ['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items']);
  assert.deepEqual(messages({ size: 1, tags: [{}, {}, {}] }), ['spec.tags: Too many: 3: must have at most 2 items']);
  assert.deepEqual(messages({ size: 1, tags: [{ key: 5 }] }), ['spec.tags[0].key: Invalid value: "integer": spec.tags[0].key in body must be of type string: "integer"']);
  assert.deepEqual(messages({ size: 1, port: 8080 }), []);
  assert.deepEqual(messages({ size: 1, port: 1.5 }), ['spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"']);
  assert.deepEqual(messages({ size: 1, when: 'yesterday' }), ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"']);
  assert.deepEqual(messages({ size: 1, when: '2024-01-02T03:04:05Z' }), []);
  const typed = validateAgainstSchema(widget, widgetWith({ size: 'x' }))[0];
  assert.equal(typed?.type, 'FieldValueTypeInvalid');
  assert.deepEqual(validateAgainstSchema(deployment, deploymentWith({ replicas: 'x' })), []);
});

test('applyCustomDefaults fills schema defaults under existing objects only', () => {
  registerCustomSchema(widget, {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          mode: { type: 'string', default: 'fast' },
          size: { type: 'integer', default: 3 },
          nested: { type: 'object', properties: { on: { type: 'boolean', default: true } } },
          items: { type: 'array', items: { type: 'object', properties: { weight: { type: 'integer', default: 1 } } } },
        },
      },
      status: { type: 'object', properties: { phase: { type: 'string', default: 'New' } } },
    },
  });
  const obj = widgetWith({ size: 5, items: [{}, { weight: 7 }] });
  applyCustomDefaults(widget, obj);
  assert.deepEqual(obj.spec, { size: 5, items: [{ weight: 1 }, { weight: 7 }], mode: 'fast' });
  assert.equal(obj.status, undefined);
  const builtin = deploymentWith({});
  applyCustomDefaults(deployment, builtin);
  assert.deepEqual(builtin.spec, {});
});

test('removeUnknownFields deletes what findUnknownFields reports, for built-in kinds too', () => {
  const obj = deploymentWith({ replicasx: 1, template: { spec: { containers: [{ name: 'a', image: 'i', foo: 1 }] } } });
  assert.deepEqual(removeUnknownFields(deployment, obj), ['spec.replicasx', 'spec.template.spec.containers[0].foo']);
  assert.deepEqual(obj.spec, { template: { spec: { containers: [{ name: 'a', image: 'i' }] } } });
  assert.deepEqual(findUnknownFields(deployment, obj), []);
});
