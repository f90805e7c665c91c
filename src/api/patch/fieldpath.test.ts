import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldSet, fromFieldsV1, keyElement, pathString, toFieldsV1, valueElement } from './fieldpath.ts';

const fields = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:finalizers': { 'v:"a"': {} } },
};

test('FieldsV1 round-trips, with "." only on members that have children', () => {
  const set = fromFieldsV1(fields);
  assert.ok(set.has(['f:metadata', 'f:labels']));
  assert.ok(!set.has(['f:metadata']));
  assert.ok(set.has(['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']));
  assert.deepEqual(toFieldsV1(set), {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:finalizers': { 'v:"a"': {} } },
  });
});

test('set algebra works on members, not on intermediate nodes', () => {
  const a = fromFieldsV1(fields);
  const b = new FieldSet();
  b.insert(['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']);
  b.insert(['f:spec', 'f:replicas']);
  assert.deepEqual(a.intersection(b).members(), [['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']]);
  assert.equal(a.difference(b).has(['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']), false);
  assert.equal(a.difference(b).has(['f:spec', 'f:containers', 'k:{"name":"nginx"}']), true);
  assert.equal(a.union(b).members().length, a.members().length + 1);
  assert.equal(a.withoutPrefixes([['f:spec']]).members().length, 2);
  assert.ok(new FieldSet().isEmpty());
});

test('paths print like upstream: fields, keys, values', () => {
  assert.equal(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', keyElement({ name: 'nginx' }), 'f:image']), '.spec.template.spec.containers[name="nginx"].image');
  assert.equal(pathString(['f:spec', 'f:ports', keyElement({ protocol: 'TCP', port: 80 })]), '.spec.ports[port=80,protocol="TCP"]');
  assert.equal(pathString(['f:metadata', 'f:finalizers', valueElement('x')]), '.metadata.finalizers[="x"]');
});

test('withoutPrefixes leaves the original set whole (only the copied path nodes change)', () => {
  const a = fromFieldsV1(fields);
  const before = JSON.stringify(toFieldsV1(a));
  const b = a.withoutPrefixes([['f:metadata', 'f:labels'], ['f:spec', 'f:finalizers']]);
  const meta = b.at(['f:metadata']);
  if (meta !== undefined) {
    meta.member = true;
  }
  assert.equal(JSON.stringify(toFieldsV1(a)), before);
  assert.deepEqual(toFieldsV1(b), { 'f:metadata': {}, 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } });
});
