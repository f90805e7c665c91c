/**
 * TTL part of the storage conformance suite (see conformance.ts): keys written with
 * `ttlSeconds` are deleted when it runs out — an ordinary delete watchers see — while a later
 * write without a TTL, or with a longer one, keeps the key.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpenStore } from './conformance.ts';
import { uniqueResource, withStore } from './conformance.ts';
import { eventKey, recordWatch } from './watch-recorder.ts';

/** Registers the TTL test. */
export function ttlConformance(open: OpenStore): void {
  test('a key written with a TTL expires as a watched delete; rewriting it without one, or with a longer one, keeps it', { timeout: 60_000 }, () =>
    withStore(open, async (s) => {
      const prefix = `/registry/${uniqueResource('events')}/`;
      const from = await s.currentRevision();
      const w = recordWatch(s, prefix, from);
      try {
        const plain = await s.create(`${prefix}ns/plain`, 'plain');
        const kept = await s.create(`${prefix}ns/kept`, 'kept', { ttlSeconds: 1 });
        const keptNow = await s.update(`${prefix}ns/kept`, 'kept2', kept.modRevision);
        const renewed = await s.create(`${prefix}ns/renewed`, 'renewed', { ttlSeconds: 1 });
        const renewedNow = await s.update(`${prefix}ns/renewed`, 'renewed2', renewed.modRevision, { ttlSeconds: 3600 });
        const short = await s.create(`${prefix}ns/short`, 'short', { ttlSeconds: 1 });
        // No sleeping: the expiry is awaited as the watch event it must produce.
        await w.until(() => w.events.some((e) => e.type === 'delete') || w.error() !== undefined);
        assert.equal(w.error(), undefined);
        const deletes = w.events.filter((e) => e.type === 'delete');
        assert.deepEqual(deletes.map(eventKey), [`${prefix}ns/short`]);
        const del = deletes[0];
        assert.ok(del.type === 'delete' && del.revision > short.modRevision);
        assert.deepEqual(del.type === 'delete' ? del.prev : undefined, short);
        assert.equal(await s.get(`${prefix}ns/short`), undefined);
        assert.deepEqual(await s.get(`${prefix}ns/plain`), plain);
        assert.deepEqual(await s.get(`${prefix}ns/kept`), keptNow);
        assert.deepEqual(await s.get(`${prefix}ns/renewed`), renewedNow);
        // Expired keys can be created again.
        const again = await s.create(`${prefix}ns/short`, 'again');
        assert.equal(again.createRevision, again.modRevision);
      } finally {
        w.handle.cancel();
      }
    }));
}
