import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { adoptWritten, decodeObject, decodeWithJson, encodeObject, encodeObjectMarked, nowRfc3339, objectJson, servedJson } from './codec.ts';

const samples: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', resourceVersion: '7', labels: { '10': 'ten', '2': 'two', app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }], metadata: { name: 'nested' } } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { '\u0000k8ts-metadata-x': '"metadata":', emoji: '\u{1F600}', lone: '\ud800', '1': 'one' } },
  { kind: 'Event', metadata: { name: 'e', annotations: undefined as unknown as Record<string, string> }, apiVersion: 'v1', count: -0, note: 'a\nb' },
];

test('a marked encoding is the stored JSON, and its served splice is the decoded object JSON', () => {
  for (const obj of samples) {
    const enc = encodeObjectMarked(obj);
    assert.equal(enc.json, encodeObject(obj));
    assert.ok(enc.metaEnd > 0);
    const kv = { key: '/registry/x/y', value: enc.json, modRevision: 42, createRevision: 40 };
    const served = servedJson(enc, 42);
    assert.equal(served, JSON.stringify(decodeObject(kv)));
    const withJson = decodeWithJson(kv, served);
    assert.deepEqual(withJson, decodeObject(kv));
    assert.equal(withJson === undefined ? '' : objectJson(withJson), JSON.stringify(decodeObject(kv)));
  }
});

test('nowRfc3339 is the current second (plus an offset) in RFC 3339 without fractions', () => {
  const before = Math.floor(Date.now() / 1000);
  const stamp = nowRfc3339();
  const later = nowRfc3339(90);
  const after = Math.floor(Date.now() / 1000);
  assert.match(stamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  const at = Date.parse(stamp) / 1000;
  assert.ok(at >= before && at <= after);
  const atLater = Date.parse(later) / 1000;
  assert.ok(atLater >= before + 90 && atLater <= after + 90);
});

test('adoptWritten gives what decoding the written value gives, frozen, with its JSON known', () => {
  const source = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', resourceVersion: '7', labels: { a: 'b' }, annotations: undefined },
    spec: { containers: [{ name: 'c', image: 'i', args: ['x', undefined] }], nodeName: undefined, priority: 0 },
    status: {},
  } as unknown as KubeObject;
  const enc = encodeObjectMarked(source);
  const kv = { key: '/registry/pods/ns/p', value: enc.json, createRevision: 9, modRevision: 9, version: 1 };
  const json = servedJson(enc, 9) ?? '';
  const adopted = adoptWritten(source, 9, json);
  assert.ok(adopted !== undefined);
  assert.deepEqual(adopted, decodeObject(kv));
  assert.equal(JSON.stringify(adopted), json);
  assert.equal(objectJson(adopted), json);
  assert.equal(adopted.metadata.resourceVersion, '9');
  assert.ok(!('annotations' in adopted.metadata), 'undefined members are dropped as JSON drops them');
  assert.ok(Object.isFrozen(adopted) && Object.isFrozen(adopted.spec) && Object.isFrozen((adopted.spec as { containers: object[] }).containers[0]));
  // The writer's own top-level object and metadata stay its own.
  assert.equal(source.metadata.resourceVersion, '7');
  assert.ok(!Object.isFrozen(source) && !Object.isFrozen(source.metadata));
});

test('adoptWritten refuses what JSON would not round-trip', () => {
  for (const odd of [Number.NaN, Number.POSITIVE_INFINITY, new Date(0), new Map(), () => 1]) {
    const source = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { x: odd } } as unknown as KubeObject;
    assert.equal(adoptWritten(source, 3, '{}'), undefined, `adopted ${String(odd)}`);
  }
});
