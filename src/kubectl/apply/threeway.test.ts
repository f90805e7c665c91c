import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threeWayJsonMergePatch, threeWayPatch } from './threeway.ts';

const deploy = { group: 'apps', version: 'v1', kind: 'Deployment' };

function dep(containers: object[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, template: { spec: { containers } }, ...extra } };
}

test('a changed scalar is patched; fields only the server set are kept', () => {
  const original = dep([{ name: 'nginx', image: 'nginx:1' }]);
  const modified = dep([{ name: 'nginx', image: 'nginx:1' }], { replicas: 3 });
  const current = dep([{ name: 'nginx', image: 'nginx:1', imagePullPolicy: 'IfNotPresent' }], { revisionHistoryLimit: 10 });
  assert.deepEqual(threeWayPatch(deploy, original, modified, current), { type: 'strategic', patch: { spec: { replicas: 3 } } });
});

test('nothing changed gives an empty patch', () => {
  const o = dep([{ name: 'nginx', image: 'nginx:1' }]);
  assert.deepEqual(threeWayPatch(deploy, o, o, dep([{ name: 'nginx', image: 'nginx:1', imagePullPolicy: 'Always' }])).patch, {});
});

test('a container image change carries $setElementOrder like kubectl', () => {
  const original = dep([{ name: 'nginx', image: 'nginx:1' }]);
  const modified = dep([{ name: 'nginx', image: 'nginx:2' }]);
  const current = dep([{ name: 'nginx', image: 'nginx:1', terminationMessagePath: '/dev/termination-log' }]);
  assert.deepEqual(threeWayPatch(deploy, original, modified, current).patch, {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:2', name: 'nginx' }] } } },
  });
});

test('a container dropped from the manifest is deleted by merge key', () => {
  const original = dep([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]);
  const modified = dep([{ name: 'a', image: 'a' }]);
  assert.deepEqual(threeWayPatch(deploy, original, modified, original).patch, {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ $patch: 'delete', name: 'b' }] } } },
  });
});

test('a label removed from the manifest is nulled; a label someone else added stays', () => {
  const original = { metadata: { labels: { a: '1', b: '2' } } };
  const modified = { metadata: { labels: { a: '1' } } };
  const current = { metadata: { labels: { a: '1', b: '2', other: 'x' } } };
  assert.deepEqual(threeWayPatch(deploy, original, modified, current).patch, { metadata: { labels: { b: null } } });
});

test('primitive merge lists: removals use $deleteFromPrimitiveList', () => {
  const original = { metadata: { finalizers: ['a', 'b'] } };
  const modified = { metadata: { finalizers: ['a'] } };
  assert.deepEqual(threeWayPatch(deploy, original, modified, original).patch, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], '$setElementOrder/finalizers': ['a'] } });
});

test('custom resources get a JSON merge patch', () => {
  const crd = { group: 'example.com', version: 'v1', kind: 'Widget' };
  const original = { spec: { a: 1, b: [1, 2] } };
  const modified = { spec: { b: [1] } };
  const current = { spec: { a: 1, b: [1, 2], c: 'server' } };
  assert.deepEqual(threeWayPatch(crd, original, modified, current), { type: 'merge', patch: { spec: { a: null, b: [1] } } });
  assert.deepEqual(threeWayJsonMergePatch(original, original, current), {});
});
