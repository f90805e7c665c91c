import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/object.ts';
import { Lister } from './lister.ts';
import { objectKey, splitKey } from './paths.ts';
import { IndexedStore } from './store.ts';

const pod = (ns: string, name: string, labels: Record<string, string> = {}, node = ''): KubeObject => ({ metadata: { namespace: ns, name, labels }, spec: { nodeName: node } });

test('keys: namespace/name, or name for cluster-scoped objects', () => {
  assert.equal(objectKey({ namespace: 'ns', name: 'a' }), 'ns/a');
  assert.equal(objectKey({ name: 'node-1' }), 'node-1');
  assert.deepEqual(splitKey('ns/a'), { namespace: 'ns', name: 'a' });
  assert.deepEqual(splitKey('node-1'), { namespace: '', name: 'node-1' });
});

test('namespace and custom indexes follow inserts, updates and deletes', () => {
  const store = new IndexedStore<KubeObject>({ byNode: (o) => [String((o.spec as { nodeName?: string }).nodeName ?? '')] });
  store.set(pod('a', 'p1', {}, 'n1'));
  store.set(pod('a', 'p2', {}, 'n2'));
  store.set(pod('b', 'p1', {}, 'n1'));
  assert.deepEqual(store.byIndex('namespace', 'a').map((o) => o.metadata.name).sort(), ['p1', 'p2']);
  assert.deepEqual(store.indexKeys('byNode', 'n1').sort(), ['a/p1', 'b/p1']);
  store.set(pod('a', 'p1', {}, 'n2'));
  assert.deepEqual(store.indexKeys('byNode', 'n1'), ['b/p1']);
  store.deleteKey('b/p1');
  assert.deepEqual(store.indexKeys('byNode', 'n1'), []);
  assert.throws(() => store.byIndex('nope', 'x'));
  store.addIndexers({ late: (o) => [o.metadata.name ?? ''] });
  assert.deepEqual(store.indexKeys('late', 'p2'), ['a/p2'], 'a late indexer indexes existing objects');
  assert.throws(() => store.addIndexers({ late: () => [] }));
});

test('cached objects are frozen and handed out without copying', () => {
  const store = new IndexedStore<KubeObject>();
  const original = pod('a', 'p1', { app: 'x' });
  store.set(original);
  const got = store.get('a/p1');
  assert.equal(got, original as unknown);
  assert.ok(Object.isFrozen(got?.metadata.labels));
  assert.throws(() => {
    (got as KubeObject).metadata.name = 'x';
  }, TypeError);
});

test('lister: get by namespace/name, list by namespace and label selector', () => {
  const store = new IndexedStore<KubeObject>();
  store.set(pod('a', 'web-1', { app: 'web' }));
  store.set(pod('a', 'db-1', { app: 'db' }));
  store.set(pod('b', 'web-2', { app: 'web' }));
  const lister = new Lister(store);
  assert.equal(lister.get('a', 'web-1')?.metadata.name, 'web-1');
  assert.equal(lister.get('b', 'web-1'), undefined);
  assert.deepEqual(lister.list('a').map((o) => o.metadata.name).sort(), ['db-1', 'web-1']);
  assert.deepEqual(lister.list(undefined, 'app=web').map((o) => o.metadata.name).sort(), ['web-1', 'web-2']);
  assert.deepEqual(lister.list('b', 'app in (db)'), []);
  assert.equal(lister.list().length, 3);
});
