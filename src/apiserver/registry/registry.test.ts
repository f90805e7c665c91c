import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { fileHarness, openHarness, RecordingSink } from './testing/harness.ts';

const h = fileHarness();
const opts = { timeout: 20_000 };

function statusOf(err: unknown): { code: number; reason: string; message: string } {
  const e = err as StatusError;
  return { code: e.code, reason: e.reason, message: e.message };
}

async function rejectsWith(p: Promise<unknown>, code: number, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    const s = statusOf(err);
    assert.equal(s.code, code, s.message);
    if (typeof message === 'string') {
      assert.equal(s.message, message);
    } else if (message !== undefined) {
      assert.match(s.message, message);
    }
    return true;
  });
}

test('create infers type meta, sets server metadata; get and list return it with resourceVersion', opts, async () => {
  const cm = h.desc('', 'configmaps');
  const created = await h.registry.create(cm, 'default', { metadata: { name: 'a', labels: { app: 'x' } }, data: { k: 'v' } }, h.ctx());
  assert.equal(created.apiVersion, 'v1');
  assert.equal(created.kind, 'ConfigMap');
  assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.match(String(created.metadata.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(created.metadata.resourceVersion ?? '', /^\d+$/);
  assert.equal(created.metadata.namespace, 'default');
  const got = await h.registry.get(cm, 'default', 'a');
  assert.deepEqual(got, created);
  const list = await h.registry.list(cm, 'default', {});
  assert.equal(list.kind, 'ConfigMapList');
  assert.deepEqual(list.items.map((i) => i.metadata.name), ['a']);
  assert.ok(Number(list.metadata.resourceVersion) >= Number(created.metadata.resourceVersion));
  await rejectsWith(h.registry.create(cm, 'default', { metadata: { name: 'a' } }, h.ctx()), 409, 'configmaps "a" already exists');
  await rejectsWith(h.registry.get(cm, 'default', 'nope'), 404, 'configmaps "nope" not found');
});

test('create checks type meta, namespaces and names like upstream', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await rejectsWith(h.registry.create(cm, 'default', { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'b' } }, h.ctx()), 400, /does not match the expected API version/);
  await rejectsWith(h.registry.create(cm, 'default', { metadata: { name: 'b', namespace: 'other' } }, h.ctx()), 400, 'the namespace of the provided object does not match the namespace sent on the request');
  await rejectsWith(h.registry.create(cm, 'missing', { metadata: { name: 'b' } }, h.ctx()), 404, 'namespaces "missing" not found');
  await rejectsWith(h.registry.create(cm, 'default', { metadata: {} }, h.ctx()), 422, /name or generateName is required/);
  const gen = await h.registry.create(cm, 'default', { metadata: { generateName: 'gen-' } }, h.ctx());
  assert.match(gen.metadata.name ?? '', /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const dry = await h.registry.create(cm, 'default', { metadata: { name: 'dry' } }, h.ctx({ dryRun: true }));
  assert.equal(dry.metadata.name, 'dry');
  await rejectsWith(h.registry.get(cm, 'default', 'dry'), 404);
});

test('update: stale resourceVersion conflicts, none is unconditional, uid is immutable', opts, async () => {
  const cm = h.desc('', 'configmaps');
  const v1 = await h.registry.create(cm, 'default', { metadata: { name: 'u' }, data: { a: '1' } }, h.ctx());
  const v2 = await h.registry.update(cm, 'default', 'u', { ...v1, data: { a: '2' } }, h.ctx());
  assert.equal(v2.created, false);
  assert.ok(Number(v2.object.metadata.resourceVersion) > Number(v1.metadata.resourceVersion));
  await rejectsWith(h.registry.update(cm, 'default', 'u', { ...v1, data: { a: '3' } }, h.ctx()), 409, 'Operation cannot be fulfilled on configmaps "u": the object has been modified; please apply your changes to the latest version and try again');
  const v3 = await h.registry.update(cm, 'default', 'u', { metadata: { name: 'u' }, data: { a: '4' } }, h.ctx());
  assert.deepEqual(v3.object.data, { a: '4' });
  assert.equal(v3.object.metadata.uid, v1.metadata.uid);
  assert.equal(v3.object.metadata.creationTimestamp, v1.metadata.creationTimestamp);
  await rejectsWith(h.registry.update(cm, 'default', 'u', { metadata: { name: 'u', uid: 'other' } }, h.ctx()), 422, /metadata.uid: Invalid value: "other": field is immutable/);
  await rejectsWith(h.registry.update(cm, 'default', 'zzz', { metadata: { name: 'zzz' } }, h.ctx()), 404);
  await rejectsWith(h.registry.update(cm, 'default', 'u', { metadata: { name: 'other' } }, h.ctx()), 400, 'the name of the object (other) does not match the name on the URL (u)');
});

test('list: selectors, limit and continue, remainingItemCount', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await h.registry.create(h.desc('', 'namespaces'), undefined, { metadata: { name: 'paging' } }, h.ctx());
  for (let i = 0; i < 5; i++) {
    await h.registry.create(cm, 'paging', { metadata: { name: `c${i}`, labels: { parity: i % 2 === 0 ? 'even' : 'odd' } } }, h.ctx());
  }
  const p1 = await h.registry.list(cm, 'paging', { limit: 2 });
  assert.deepEqual(p1.items.map((i) => i.metadata.name), ['c0', 'c1']);
  assert.equal(p1.metadata.remainingItemCount, 3);
  assert.ok(p1.metadata.continue);
  // A write between pages does not show up: the pages are one snapshot.
  await h.registry.create(cm, 'paging', { metadata: { name: 'c9' } }, h.ctx());
  const p2 = await h.registry.list(cm, 'paging', { limit: 2, continue: p1.metadata.continue });
  assert.deepEqual(p2.items.map((i) => i.metadata.name), ['c2', 'c3']);
  assert.equal(p2.metadata.resourceVersion, p1.metadata.resourceVersion);
  const p3 = await h.registry.list(cm, 'paging', { limit: 2, continue: p2.metadata.continue });
  assert.deepEqual(p3.items.map((i) => i.metadata.name), ['c4']);
  assert.equal(p3.metadata.continue, undefined);
  const even = await h.registry.list(cm, 'paging', { labelSelector: 'parity=even' });
  assert.deepEqual(even.items.map((i) => i.metadata.name), ['c0', 'c2', 'c4']);
  const byName = await h.registry.list(cm, undefined, { fieldSelector: 'metadata.name=c3' });
  assert.deepEqual(byName.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), ['paging/c3']);
  await rejectsWith(h.registry.list(cm, 'paging', { fieldSelector: 'spec.foo=bar' }), 400, /field label not supported: spec.foo/);
  await rejectsWith(h.registry.list(cm, 'paging', { continue: 'garbage' }), 400);
  const exact = await h.registry.list(cm, 'paging', { resourceVersion: p1.metadata.resourceVersion, resourceVersionMatch: 'Exact' });
  assert.equal(exact.items.length, 5);
});

test('watch: initial ADDED without resourceVersion, then live events; selectors turn leaving into DELETED', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await h.registry.create(h.desc('', 'namespaces'), undefined, { metadata: { name: 'w' } }, h.ctx());
  const first = await h.registry.create(cm, 'w', { metadata: { name: 'one', labels: { app: 'a' } } }, h.ctx());
  const all = new RecordingSink();
  const sel = new RecordingSink();
  const stopAll = await h.registry.watch(cm, 'w', { allowWatchBookmarks: false, sendInitialEvents: false }, all);
  const stopSel = await h.registry.watch(cm, 'w', { allowWatchBookmarks: false, sendInitialEvents: false, labelSelector: 'app=a', resourceVersion: first.metadata.resourceVersion }, sel);
  await all.waitFor(1);
  const updated = await h.registry.update(cm, 'w', 'one', { metadata: { name: 'one', labels: { app: 'b' } } }, h.ctx());
  await h.registry.delete(cm, 'w', 'one', {}, h.ctx());
  await all.waitFor(3);
  await sel.waitFor(1);
  assert.deepEqual(all.summary(), ['ADDED one', 'MODIFIED one', 'DELETED one']);
  assert.deepEqual(sel.summary(), ['DELETED one']);
  assert.equal((sel.events[0].object as KubeObject).metadata.resourceVersion, updated.object.metadata.resourceVersion);
  assert.equal((all.events[2].object as KubeObject).apiVersion, 'v1');
  stopAll();
  stopSel();
});

test('watch: sendInitialEvents ends with the initial-events-end bookmark; too old resourceVersion gets 410', opts, async () => {
  const cm = h.desc('', 'configmaps');
  const sink = new RecordingSink();
  const stop = await h.registry.watch(cm, 'default', { allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', fieldSelector: 'metadata.name=a' }, sink);
  await sink.waitFor(2);
  assert.deepEqual(sink.summary(), ['ADDED a', 'BOOKMARK']);
  const bm = sink.events[1].object as KubeObject;
  assert.equal(bm.kind, 'ConfigMap');
  assert.equal(bm.apiVersion, 'v1');
  assert.deepEqual(bm.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
  stop();

  const small = await openHarness({ capacity: 2 });
  try {
    const ns = small.desc('', 'namespaces');
    for (let i = 0; i < 4; i++) {
      await small.registry.create(ns, undefined, { metadata: { name: `n${i}` } }, small.ctx());
    }
    const gone = new RecordingSink();
    await small.registry.watch(ns, undefined, { allowWatchBookmarks: false, sendInitialEvents: false, resourceVersion: '1' }, gone);
    await gone.waitFor(1);
    assert.equal(gone.events[0].type, 'ERROR');
    assert.equal((gone.events[0].object as { code: number }).code, 410);
    assert.match((gone.events[0].object as { message: string }).message, /^too old resource version: 1 \(\d+\)$/);
    assert.equal(gone.closed, true);
  } finally {
    await small.close();
  }
});

test('concurrent patches without a resourceVersion all land (the update loop retries conflicts)', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await h.registry.create(cm, 'default', { metadata: { name: 'busy' } }, h.ctx());
  await Promise.all(Array.from({ length: 20 }, (_, i) => h.registry.patch(cm, 'default', 'busy', 'application/merge-patch+json', { metadata: { labels: { [`l${i}`]: 'x' } } }, h.ctx(), { force: false })));
  const got = await h.registry.get(cm, 'default', 'busy');
  assert.equal(Object.keys(got.metadata.labels ?? {}).length, 20);
});

test('listJson and objectJson give exactly JSON.stringify, reusing cached objects\' text', opts, async () => {
  const { listJson, objectJson } = await import('./index.ts');
  const cm = h.desc('', 'configmaps');
  const list = await h.registry.list(cm, 'default', {});
  assert.ok(list.items.length > 0);
  assert.equal(listJson(list), JSON.stringify(list));
  assert.equal(listJson(list), JSON.stringify(list), 'second call served from the memo');
  assert.equal(objectJson(list.items[0]), JSON.stringify(list.items[0]));
  const got = await h.registry.get(cm, 'default', list.items[0].metadata.name ?? '');
  assert.equal(objectJson(got), JSON.stringify(got));
});
