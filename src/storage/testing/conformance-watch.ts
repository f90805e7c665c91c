/**
 * Watch and compaction part of the storage conformance suite (see conformance.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StorageErrorCode } from '../interface.ts';
import type { Storage } from '../interface.ts';
import type { OpenStore } from './conformance.ts';
import { rejectsWith, uniqueResource, withStore } from './conformance.ts';
import { eventKey, eventRevision, recordWatch } from './watch-recorder.ts';

const timeout = 30_000;

/** Creates `count` keys, then updates and deletes some, returning the revision before the first write. */
async function churn(s: Storage, prefix: string): Promise<number> {
  const start = await s.currentRevision();
  const a = await s.create(`${prefix}ns/a`, 'a1');
  await s.create(`${prefix}ns/b`, 'b1');
  await s.update(`${prefix}ns/a`, 'a2', a.modRevision);
  await s.delete(`${prefix}ns/b`);
  return start;
}

/** Registers the watch and compaction tests. */
export function watchConformance(open: OpenStore): void {
  test('watch replays from a revision, then goes live, in order, with prevKv and deletes', { timeout }, () =>
    withStore(open, async (s) => {
      const r = uniqueResource('pods');
      const prefix = `/registry/${r}/`;
      const a1 = await s.create(`${prefix}ns/a`, 'a1');
      const from = a1.modRevision;
      const a2 = await s.update(`${prefix}ns/a`, 'a2', a1.modRevision);
      const b1 = await s.create(`${prefix}ns/b`, 'b1');
      const w = recordWatch(s, prefix, from);
      try {
        await w.until(() => w.events.length >= 2 || w.error() !== undefined);
        assert.equal(w.error(), undefined);
        // Live writes, including one under a look-alike prefix that must not be delivered.
        await s.create(`/registry/${r}x/ns/c`, 'other');
        const del = await s.delete(`${prefix}ns/a`, a2.modRevision);
        const b2 = await s.update(`${prefix}ns/b`, 'b2', b1.modRevision);
        await w.until(() => w.events.length >= 4 || w.error() !== undefined);
        assert.equal(w.error(), undefined);
        const [e1, e2, e3, e4] = w.events;
        assert.equal(w.events.length, 4);
        assert.ok(e1.type === 'put');
        assert.deepEqual(e1.kv, a2);
        assert.deepEqual(e1.prev, a1);
        assert.ok(e2.type === 'put');
        assert.deepEqual(e2.kv, b1);
        assert.equal(e2.prev, undefined, 'a create has no previous value');
        assert.ok(e3.type === 'delete');
        assert.equal(e3.key, `${prefix}ns/a`);
        assert.equal(e3.revision, del.revision);
        assert.deepEqual(e3.prev, a2);
        assert.ok(e4.type === 'put');
        assert.deepEqual(e4.kv, b2);
        assert.deepEqual(e4.prev, b1);
        const revs = w.events.map(eventRevision);
        assert.deepEqual(revs, [...revs].sort((x, y) => x - y));
        assert.equal(new Set(revs).size, revs.length);
        assert.ok(w.events.every((e) => eventKey(e).startsWith(prefix)));
      } finally {
        w.handle.cancel();
      }
    }));

  test('watch from the current revision sees only new writes; cancel stops delivery', { timeout }, () =>
    withStore(open, async (s) => {
      const prefix = `/registry/${uniqueResource('pods')}/`;
      await s.create(`${prefix}ns/old`, 'old');
      const w = recordWatch(s, prefix, await s.currentRevision());
      const stopped = recordWatch(s, prefix, await s.currentRevision());
      stopped.handle.cancel();
      stopped.handle.cancel();
      try {
        const n = await s.create(`${prefix}ns/new`, 'new');
        await w.until(() => w.events.length >= 1 || w.error() !== undefined);
        // The cancelled watch shares the store with w; by now it would have had the event too.
        const m = await s.create(`${prefix}ns/newer`, 'newer');
        await w.until(() => w.events.length >= 2 || w.error() !== undefined);
        assert.deepEqual(w.events.map(eventRevision), [n.modRevision, m.modRevision]);
        assert.equal(stopped.events.length, 0);
        assert.equal(stopped.error(), undefined);
      } finally {
        w.handle.cancel();
      }
    }));

  test('many concurrent writes reach a watcher once each, in revision order', { timeout }, () =>
    withStore(open, async (s) => {
      const prefix = `/registry/${uniqueResource('pods')}/`;
      const w = recordWatch(s, prefix, await s.currentRevision());
      try {
        const kvs = await Promise.all(Array.from({ length: 50 }, (_, i) => s.create(`${prefix}ns/k${i}`, String(i))));
        await w.until(() => w.events.length >= 50 || w.error() !== undefined);
        const revs = w.events.map(eventRevision);
        assert.deepEqual(revs, kvs.map((kv) => kv.modRevision).sort((x, y) => x - y));
      } finally {
        w.handle.cancel();
      }
    }));

  test('compaction: old revisions give Compacted to list and watch; recent ones still work', { timeout }, () =>
    withStore(open, async (s) => {
      const prefix = `/registry/${uniqueResource('pods')}/`;
      const start = await churn(s, prefix);
      const mid = await s.currentRevision();
      const c = await s.create(`${prefix}ns/c`, 'c1');
      await s.compact(mid);
      assert.ok((await s.compactedRevision()) >= mid);
      const listErr = await rejectsWith(s.list(prefix, { revision: start + 1 }), StorageErrorCode.Compacted);
      assert.ok(listErr.revision === undefined || listErr.revision >= mid);
      const w = recordWatch(s, prefix, start);
      try {
        await w.until(() => w.error() !== undefined || w.events.length > 0);
        assert.equal(w.events.length, 0);
        assert.equal(w.error()?.code, StorageErrorCode.Compacted);
      } finally {
        w.handle.cancel();
      }
      // The compacted revision itself, and the state as of it, stay readable.
      const atMid = await s.list(prefix, { revision: mid });
      assert.deepEqual(atMid.items.map((kv) => kv.value), ['a2']);
      const latest = await s.list(prefix);
      assert.deepEqual(latest.items.map((kv) => kv.value), ['a2', 'c1']);
      const live = recordWatch(s, prefix, mid);
      try {
        await live.until(() => live.events.length >= 1 || live.error() !== undefined);
        assert.equal(live.error(), undefined);
        assert.deepEqual(live.events.map(eventRevision), [c.modRevision]);
      } finally {
        live.handle.cancel();
      }
      // Compacting to an already compacted revision is harmless; writes go on.
      await s.compact(mid);
      const a = await s.get(`${prefix}ns/a`);
      assert.ok(a);
      await s.update(`${prefix}ns/a`, 'a3', a.modRevision);
    }));
}
