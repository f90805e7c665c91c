/** etcd-specific behaviour: --etcd-servers parsing, openStorage, and a watch whose etcd goes away. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startEtcd } from '../../../test/util/etcd.ts';
import { StorageErrorCode } from '../interface.ts';
import { recordWatch } from '../testing/watch-recorder.ts';
import { compactOnce } from '../compactor.ts';
import { openStorage } from '../open.ts';
import { EtcdStorage, parseEtcdServers } from './store.ts';

test('parseEtcdServers splits --etcd-servers values', () => {
  assert.deepEqual(parseEtcdServers(['http://a:2379,http://b:2379', ' http://c:2379 ', '']), [
    'http://a:2379',
    'http://b:2379',
    'http://c:2379',
  ]);
});

test('openStorage connects to comma-separated etcd servers and fails fast without any', { timeout: 60_000 }, async () => {
  await assert.rejects(openStorage({ backend: 'etcd3', dataDir: '/nonexistent', etcdServers: [] }), /etcd server/);
  const etcd = await startEtcd();
  try {
    const s = await openStorage({ backend: 'etcd3', dataDir: '/nonexistent', etcdServers: [`${etcd.endpoints[0]},${etcd.endpoints[0]}`] });
    try {
      const kv = await s.create('/registry/pods/ns/x', 'x');
      assert.equal((await s.get('/registry/pods/ns/x'))?.modRevision, kv.modRevision);
    } finally {
      await s.close();
    }
  } finally {
    await etcd.stop();
  }
});

test('a watch ends with Unavailable when etcd dies', { timeout: 60_000 }, async () => {
  const etcd = await startEtcd();
  const s = new EtcdStorage({ endpoints: etcd.endpoints, requestTimeoutMs: 5000, compactor: false });
  try {
    const kv = await s.create('/registry/pods/ns/a', 'a');
    const w = recordWatch(s, '/registry/pods/', kv.modRevision - 1);
    await w.until(() => w.events.length >= 1 || w.error() !== undefined);
    assert.equal(w.error(), undefined);
    await etcd.stop();
    await w.until(() => w.error() !== undefined);
    assert.equal(w.error()?.code, StorageErrorCode.Unavailable);
    await assert.rejects(s.get('/registry/pods/ns/a'), (err: unknown) => (err as { code?: string }).code === StorageErrorCode.Unavailable);
  } finally {
    await s.close();
    await etcd.stop();
  }
});

test('a compaction pass keeps the newest revisions; compactedRevision finds etcd\'s boundary', { timeout: 60_000 }, async () => {
  const etcd = await startEtcd();
  const s = new EtcdStorage({ endpoints: etcd.endpoints, compactor: false });
  try {
    assert.equal(await s.compactedRevision(), 0);
    let kv = await s.create('/registry/pods/ns/a', '0');
    for (let i = 1; i <= 30; i++) {
      kv = await s.update('/registry/pods/ns/a', String(i), kv.modRevision);
    }
    assert.equal(await compactOnce(s, 10), kv.modRevision - 10);
    // A fresh client has no memory of the compaction: it must find the boundary in etcd.
    const fresh = new EtcdStorage({ endpoints: etcd.endpoints, compactor: false });
    try {
      assert.equal(await fresh.compactedRevision(), kv.modRevision - 10);
    } finally {
      await fresh.close();
    }
  } finally {
    await s.close();
    await etcd.stop();
  }
});
