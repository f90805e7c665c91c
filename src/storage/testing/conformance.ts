/**
 * The storage conformance suite (STYLE.md §5, upstream's storage/testing/store_tests.go):
 * written once, run against every backend. Each test opens a fresh store handle and uses
 * its own resource names, so backends that share one server (etcd) stay isolated.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError, StorageErrorCode } from '../interface.ts';
import type { Storage, StorageErrorCode as Code } from '../interface.ts';
import { guaranteedUpdate } from '../guaranteed-update.ts';
import { ttlConformance } from './conformance-ttl.ts';
import { watchConformance } from './conformance-watch.ts';

/** How the suite gets a store: a fresh handle, and how to release it. */
export type OpenStore = () => Promise<{ storage: Storage; cleanup(): Promise<void> }>;

/** Runs fn on a fresh store and always cleans up. */
export async function withStore(open: OpenStore, fn: (s: Storage) => Promise<void>): Promise<void> {
  const { storage, cleanup } = await open();
  try {
    await fn(storage);
  } finally {
    await cleanup();
  }
}

let seq = 0;
/** A resource name no other test uses (prefix isolation across tests on a shared server). */
export function uniqueResource(base: string): string {
  seq += 1;
  return `${base}${process.pid}t${seq}${Date.now().toString(36)}`;
}

/** Asserts that p rejects with a StorageError of the given code; returns it. */
export async function rejectsWith(p: Promise<unknown>, code: Code): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StorageError, `expected StorageError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected StorageError ${code}, but the call succeeded`);
}

const timeout = 30_000;

/** Registers the whole suite for one backend. */
export function runStorageConformance(name: string, open: OpenStore): void {
  describe(`storage conformance: ${name}`, () => {
    test('create, get, create again is KeyExists', { timeout }, () =>
      withStore(open, async (s) => {
        const key = `/registry/${uniqueResource('pods')}/default/a`;
        assert.equal(await s.get(key), undefined);
        const before = await s.currentRevision();
        const kv = await s.create(key, '{"v":1}');
        assert.equal(kv.key, key);
        assert.equal(kv.value, '{"v":1}');
        assert.ok(kv.modRevision > before);
        assert.equal(kv.createRevision, kv.modRevision);
        assert.deepEqual(await s.get(key), kv);
        const err = await rejectsWith(s.create(key, '{"v":2}'), StorageErrorCode.KeyExists);
        assert.equal(err.key, key);
        assert.equal((await s.get(key))?.value, '{"v":1}');
      }));

    test('update with the right revision, a stale one, a missing key', { timeout }, () =>
      withStore(open, async (s) => {
        const key = `/registry/${uniqueResource('pods')}/default/a`;
        const c = await s.create(key, 'one');
        const u = await s.update(key, 'two', c.modRevision);
        assert.ok(u.modRevision > c.modRevision);
        assert.equal(u.createRevision, c.createRevision);
        assert.equal(u.value, 'two');
        assert.deepEqual(await s.get(key), u);
        const err = await rejectsWith(s.update(key, 'three', c.modRevision), StorageErrorCode.Conflict);
        assert.equal(err.revision, u.modRevision);
        assert.equal((await s.get(key))?.value, 'two');
        await rejectsWith(s.update(`${key}-missing`, 'x', 1), StorageErrorCode.NotFound);
        await rejectsWith(s.update(`${key}-missing`, 'x', 0), StorageErrorCode.NotFound);
        assert.equal(await s.get(`${key}-missing`), undefined, 'update never creates');
      }));

    test('delete with and without precondition; recreate', { timeout }, () =>
      withStore(open, async (s) => {
        const r = uniqueResource('pods');
        const a = `/registry/${r}/default/a`;
        const b = `/registry/${r}/default/b`;
        const ca = await s.create(a, 'A');
        const cb = await s.create(b, 'B');
        const da = await s.delete(a);
        assert.deepEqual(da.prev, ca);
        assert.ok(da.revision > cb.modRevision);
        assert.equal(await s.get(a), undefined);
        await rejectsWith(s.delete(a), StorageErrorCode.NotFound);
        await rejectsWith(s.delete(a, ca.modRevision), StorageErrorCode.NotFound);
        await rejectsWith(s.delete(a, 0), StorageErrorCode.NotFound);
        const ub = await s.update(b, 'B2', cb.modRevision);
        const conflict = await rejectsWith(s.delete(b, cb.modRevision), StorageErrorCode.Conflict);
        assert.equal(conflict.revision, ub.modRevision);
        assert.deepEqual(await s.get(b), ub);
        const db = await s.delete(b, ub.modRevision);
        assert.deepEqual(db.prev, ub);
        const again = await s.create(a, 'A2');
        assert.equal(again.createRevision, again.modRevision);
        assert.ok(again.createRevision > da.revision);
      }));

    test('list isolates prefixes and reads the latest revision', { timeout }, () =>
      withStore(open, async (s) => {
        const r = uniqueResource('pods');
        await s.create(`/registry/${r}/ns1/a`, 'a');
        await s.create(`/registry/${r}/ns2/b`, 'b');
        await s.create(`/registry/${r}x/ns1/c`, 'c');
        const last = await s.create(`/registry/${r}/ns1/d`, 'd');
        for (const prefix of [`/registry/${r}/`, `/registry/${r}`]) {
          const res = await s.list(prefix);
          assert.deepEqual(
            res.items.map((kv) => kv.key),
            [`/registry/${r}/ns1/a`, `/registry/${r}/ns1/d`, `/registry/${r}/ns2/b`],
          );
          assert.equal(res.more, false);
          assert.ok(res.revision >= last.modRevision);
          assert.ok(res.revision <= (await s.currentRevision()));
        }
        assert.deepEqual((await s.list(`/registry/${r}/ns1/`)).items.map((kv) => kv.value), ['a', 'd']);
        assert.equal((await s.list(`/registry/${r}/ns3/`)).items.length, 0);
        assert.equal(await s.count(`/registry/${r}/`), 3);
        assert.equal(await s.count(`/registry/${r}x/`), 1);
        await s.delete(`/registry/${r}/ns1/a`);
        assert.equal(await s.count(`/registry/${r}/`), 2);
      }));

    test('list at an old revision sees the past', { timeout }, () =>
      withStore(open, async (s) => {
        const r = uniqueResource('pods');
        const a1 = await s.create(`/registry/${r}/ns/a`, 'a1');
        const a2 = await s.update(`/registry/${r}/ns/a`, 'a2', a1.modRevision);
        const b1 = await s.create(`/registry/${r}/ns/b`, 'b1');
        await s.delete(`/registry/${r}/ns/a`);
        const at = async (revision: number): Promise<string[]> => {
          const res = await s.list(`/registry/${r}/`, { revision });
          assert.equal(res.revision, revision);
          return res.items.map((kv) => `${kv.key.slice(-1)}=${kv.value}@${kv.modRevision}`);
        };
        assert.deepEqual(await at(a1.modRevision), [`a=a1@${a1.modRevision}`]);
        assert.deepEqual(await at(a2.modRevision), [`a=a2@${a2.modRevision}`]);
        assert.deepEqual(await at(b1.modRevision), [`a=a2@${a2.modRevision}`, `b=b1@${b1.modRevision}`]);
        assert.deepEqual((await s.list(`/registry/${r}/`)).items.map((kv) => kv.value), ['b1']);
      }));

    test('pagination with limit and startAfter at a pinned revision', { timeout }, () =>
      withStore(open, async (s) => {
        const r = uniqueResource('pods');
        const names = ['a', 'b', 'c', 'd', 'e'];
        for (const n of names) {
          await s.create(`/registry/${r}/ns/${n}`, n);
        }
        const p1 = await s.list(`/registry/${r}/`, { limit: 2 });
        assert.deepEqual(p1.items.map((kv) => kv.value), ['a', 'b']);
        assert.equal(p1.more, true);
        assert.equal(p1.remaining, 3);
        // Writes after the first page must not show up in later pages pinned to its revision.
        await s.create(`/registry/${r}/ns/bb`, 'bb');
        await s.delete(`/registry/${r}/ns/d`);
        const opts = { limit: 2, revision: p1.revision };
        const p2 = await s.list(`/registry/${r}/`, { ...opts, startAfter: p1.items[1].key });
        assert.deepEqual(p2.items.map((kv) => kv.value), ['c', 'd']);
        assert.equal(p2.more, true);
        assert.equal(p2.remaining, 1);
        assert.equal(p2.revision, p1.revision);
        const p3 = await s.list(`/registry/${r}/`, { ...opts, startAfter: p2.items[1].key });
        assert.deepEqual(p3.items.map((kv) => kv.value), ['e']);
        assert.equal(p3.more, false);
        const exact = await s.list(`/registry/${r}/`, { limit: 5, revision: p1.revision });
        assert.equal(exact.items.length, 5);
        assert.equal(exact.more, false);
        const latest = await s.list(`/registry/${r}/`, { limit: 10 });
        assert.deepEqual(latest.items.map((kv) => kv.value), ['a', 'b', 'bb', 'c', 'e']);
      }));

    test('concurrent conflicting writes: exactly one wins', { timeout }, () =>
      withStore(open, async (s) => {
        const r = uniqueResource('pods');
        const key = `/registry/${r}/ns/a`;
        const creates = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => s.create(key, `c${i}`)));
        assert.equal(creates.filter((o) => o.status === 'fulfilled').length, 1);
        for (const o of creates) {
          if (o.status === 'rejected') {
            assert.equal((o.reason as StorageError).code, StorageErrorCode.KeyExists);
          }
        }
        const base = await s.get(key);
        assert.ok(base);
        const updates = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => s.update(key, `u${i}`, base.modRevision)));
        const won = updates.filter((o) => o.status === 'fulfilled');
        assert.equal(won.length, 1);
        for (const o of updates) {
          if (o.status === 'rejected') {
            assert.equal((o.reason as StorageError).code, StorageErrorCode.Conflict);
          }
        }
        assert.deepEqual(await s.get(key), won[0].value);
      }));

    test('currentRevision is monotonic and covers every write', { timeout }, () =>
      withStore(open, async (s) => {
        const r = uniqueResource('pods');
        let last = await s.currentRevision();
        const revs: number[] = [];
        for (let i = 0; i < 5; i++) {
          const kv = await s.create(`/registry/${r}/ns/k${i}`, String(i));
          revs.push(kv.modRevision);
          const now = await s.currentRevision();
          assert.ok(now >= kv.modRevision, `current ${now} < write ${kv.modRevision}`);
          assert.ok(now > last);
          last = now;
        }
        const parallel = await Promise.all(Array.from({ length: 10 }, (_, i) => s.create(`/registry/${r}/ns/p${i}`, String(i))));
        const prs = parallel.map((kv) => kv.modRevision);
        assert.equal(new Set(prs).size, prs.length, 'each write has its own revision');
        assert.ok(Math.min(...prs) > Math.max(...revs));
        assert.ok((await s.currentRevision()) >= Math.max(...prs));
      }));

    test('guaranteedUpdate retries conflicts and aborts when tryUpdate throws', { timeout }, () =>
      withStore(open, async (s) => {
        const key = `/registry/${uniqueResource('counters')}/ns/c`;
        const n = 10;
        await Promise.all(
          Array.from({ length: n }, () => guaranteedUpdate(s, key, (cur) => String(cur ? Number(cur.value) + 1 : 1))),
        );
        assert.equal((await s.get(key))?.value, String(n));
        const before = await s.get(key);
        await assert.rejects(
          guaranteedUpdate(s, key, () => {
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.deepEqual(await s.get(key), before);
        const same = await guaranteedUpdate(s, key, (cur) => cur?.value ?? '');
        assert.deepEqual(same, before, 'an unchanged value is not written');
      }));

    watchConformance(open);
    ttlConformance(open);
  });
}
