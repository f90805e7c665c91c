import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Status } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { StorageError } from '../../storage/interface.ts';
import type { KeyValue } from '../../storage/interface.ts';
import { WatchCache } from './cache.ts';
import type { CacheSink, DeliveredType } from './cache.ts';
import { createMemoryStorage } from './testing/memory-storage.ts';

const opts = { timeout: 10_000 };

function decode(kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

const value = (name: string, labels: Record<string, string> = {}): string => JSON.stringify({ metadata: { name, labels } });

class Sink implements CacheSink {
  readonly got: string[] = [];
  closed = false;
  private wake: (() => void) | undefined;
  event(type: DeliveredType, object: KubeObject | Status): void {
    const o = object as KubeObject;
    this.got.push(type === 'BOOKMARK' ? `BOOKMARK ${o.metadata.resourceVersion ?? ''}` : `${type} ${o.metadata?.name ?? ''}`);
    this.wake?.();
  }
  close(): void {
    this.closed = true;
    this.wake?.();
  }
  async until(pred: () => boolean): Promise<void> {
    while (!pred()) {
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

test('watchers see only their prefix; resuming replays exactly the events after the revision', opts, async () => {
  const s = createMemoryStorage();
  const cache = new WatchCache(s, '/registry/cm/', decode);
  await cache.ready();
  await s.create('/registry/cm/a/x', value('x'));
  const b = await s.create('/registry/cm/b/y', value('y'));
  await cache.waitForRevision(b.modRevision, 5000);
  const nsA = new Sink();
  cache.watch({ keyPrefix: '/registry/cm/a/', bookmarks: false, sink: nsA }, { initialEvents: true, initialEventsEnd: false });
  const resumed = new Sink();
  cache.watch({ keyPrefix: '/registry/cm/', bookmarks: false, sink: resumed }, { fromRevision: b.modRevision - 1, initialEvents: false, initialEventsEnd: false });
  await s.create('/registry/cm/a/z', value('z'));
  await nsA.until(() => nsA.got.length >= 2);
  await resumed.until(() => resumed.got.length >= 2);
  assert.deepEqual(nsA.got, ['ADDED x', 'ADDED z']);
  assert.deepEqual(resumed.got, ['ADDED y', 'ADDED z']);
  assert.deepEqual(cache.list('/registry/cm/').map((o) => o.metadata.name), ['x', 'z', 'y'], 'sorted by key: a/x, a/z, b/y');
  cache.stop();
  assert.equal(nsA.closed, true);
});

test('a watcher that falls behind is closed without holding up the others', opts, async () => {
  const s = createMemoryStorage();
  const cache = new WatchCache(s, '/registry/cm/', decode);
  await cache.ready();
  const slow = new Sink();
  const fast = new Sink();
  cache.watch({ keyPrefix: '/registry/cm/', bookmarks: false, sink: slow, maxQueue: 3 }, { initialEvents: false, initialEventsEnd: false, fromRevision: cache.revision });
  cache.watch({ keyPrefix: '/registry/cm/', bookmarks: false, sink: fast }, { initialEvents: false, initialEventsEnd: false, fromRevision: cache.revision });
  // All writes land before the watchers get a turn to drain: the slow one overflows.
  await Promise.all(Array.from({ length: 10 }, (_, i) => s.create(`/registry/cm/n${i}`, value(`n${i}`))));
  await fast.until(() => fast.got.length >= 10);
  assert.equal(slow.closed, true);
  assert.equal(fast.closed, false);
  assert.equal(fast.got.length, 10);
  cache.stop();
});

test('periodic bookmarks carry the cache revision; evicted history answers 410', opts, async () => {
  const s = createMemoryStorage();
  const cache = new WatchCache(s, '/registry/cm/', decode, { capacity: 2, minRetentionMs: 0, bookmarkIntervalMs: 10 });
  await cache.ready();
  const start = cache.revision;
  let last: KeyValue | undefined;
  for (let i = 0; i < 4; i++) {
    last = await s.create(`/registry/cm/e${i}`, value(`e${i}`));
  }
  await cache.waitForRevision(last?.modRevision ?? 0, 5000);
  const bm = new Sink();
  cache.watch({ keyPrefix: '/registry/cm/', bookmarks: true, makeBookmark: (rv) => ({ metadata: { resourceVersion: String(rv) } }), sink: bm }, { fromRevision: cache.revision, initialEvents: false, initialEventsEnd: false });
  await bm.until(() => bm.got.length >= 1);
  assert.equal(bm.got[0], `BOOKMARK ${cache.revision}`);
  const old = new Sink();
  cache.watch({ keyPrefix: '/registry/cm/', bookmarks: false, sink: old }, { fromRevision: start, initialEvents: false, initialEventsEnd: false });
  await old.until(() => old.closed);
  assert.deepEqual(old.got, ['ERROR ']);
  cache.stop();
});

test('when the store watch fails, watchers are closed and the cache relists and keeps serving', opts, async () => {
  const s = createMemoryStorage();
  const cache = new WatchCache(s, '/registry/cm/', decode);
  await cache.ready();
  await s.create('/registry/cm/a', value('a'));
  const w = new Sink();
  cache.watch({ keyPrefix: '/registry/cm/', bookmarks: false, sink: w }, { initialEvents: true, initialEventsEnd: false });
  await w.until(() => w.got.length >= 1);
  const warnings: string[] = [];
  const onWarning = (e: Error): void => void warnings.push(e.message);
  process.on('warning', onWarning);
  try {
    s.failWatches(new StorageError('Compacted', '/registry/cm/', 'compacted', 5));
    await w.until(() => w.closed);
    await cache.ready();
    const b = await s.create('/registry/cm/b', value('b'));
    assert.equal(await cache.waitForRevision(b.modRevision, 5000), true);
    assert.deepEqual(cache.list('/registry/cm/').map((o) => o.metadata.name), ['a', 'b']);
    await new Promise((r) => setImmediate(r));
    assert.ok(warnings.some((m) => m.includes('relisting')));
  } finally {
    process.off('warning', onWarning);
    cache.stop();
  }
});

test('resuming from a revision the cache has not reached yet skips events up to it', opts, async () => {
  const s = createMemoryStorage();
  const cache = new WatchCache(s, '/registry/cm/', decode);
  await cache.ready();
  const ahead = new Sink();
  cache.watch({ keyPrefix: '/registry/cm/', bookmarks: false, sink: ahead }, { fromRevision: cache.revision + 1, initialEvents: false, initialEventsEnd: false });
  await s.create('/registry/cm/seen-already', value('seen-already'));
  await s.create('/registry/cm/new', value('new'));
  await ahead.until(() => ahead.got.length >= 1);
  assert.deepEqual(ahead.got, ['ADDED new']);
  cache.stop();
});

test('a burst beyond capacity is kept while it is recent, so resuming watchers do not get 410', opts, async () => {
  const s = createMemoryStorage();
  const cache = new WatchCache(s, '/registry/cm/', decode, { capacity: 2, minRetentionMs: 60_000 });
  await cache.ready();
  const start = cache.revision;
  let last: KeyValue | undefined;
  for (let i = 0; i < 5; i++) {
    last = await s.create(`/registry/cm/b${i}`, value(`b${i}`));
  }
  await cache.waitForRevision(last?.modRevision ?? 0, 5000);
  const w = new Sink();
  cache.watch({ keyPrefix: '/registry/cm/', bookmarks: false, sink: w }, { fromRevision: start, initialEvents: false, initialEventsEnd: false });
  await w.until(() => w.got.length >= 5);
  assert.deepEqual(w.got, ['ADDED b0', 'ADDED b1', 'ADDED b2', 'ADDED b3', 'ADDED b4']);
  cache.stop();
});

test('the cache loads a large prefix page by page and serves all of it in key order', opts, async () => {
  const storage = createMemoryStorage();
  const names = ['g', 'a', 'e', 'c', 'b', 'f', 'd'];
  for (const n of names) {
    await storage.create(`/registry/things/${n}`, value(n));
  }
  const pages: Array<string | undefined> = [];
  const list = storage.list.bind(storage);
  storage.list = (prefix, o) => {
    pages.push(o?.startAfter);
    return list(prefix, o);
  };
  const cache = new WatchCache(storage, '/registry/things/', decode, { loadPageSize: 3 });
  try {
    await cache.ready();
    assert.deepEqual(cache.list('/registry/things/').map((o) => o.metadata.name), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual(pages, [undefined, '/registry/things/c', '/registry/things/f']);
    await storage.create('/registry/things/h', value('h'));
    await cache.waitForRevision(8, 5_000);
    assert.equal(cache.get('/registry/things/h')?.metadata.name, 'h', 'the watch started after the last page');
  } finally {
    cache.stop();
  }
});
