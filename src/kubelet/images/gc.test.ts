import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBusyboxImage } from '../testing/build-image.ts';
import { importArchive } from './archive.ts';
import { ImageGarbageCollector, imagesOfPods } from './gc.ts';
import type { DiskUsage, GcEventSink } from './gc.ts';
import { ImageStore } from './store.ts';

const isRoot = process.getuid?.() === 0;

test('image GC above the high threshold removes the unused image only, keeps shared blobs, honours the minimum age', { skip: !isRoot && 'needs root' }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'k8ts-gc-'));
  const store = new ImageStore(root);
  const used = await buildBusyboxImage({ ref: 'k8ts.local/gc/used:1' });
  const unused = await buildBusyboxImage({ ref: 'k8ts.local/gc/unused:1', format: 'oci', cmd: ['sh', '-c', 'true'] });
  try {
    const [a] = await importArchive(store, used.archivePath);
    const [b] = await importArchive(store, unused.archivePath);
    assert.deepEqual(a.diffIds, b.diffIds, 'the two images share their layer');
    const imported = Date.parse(b.createdAt);
    let now = imported + 60_000;
    // 85% used of 100 bytes: at the high threshold, 5 bytes to free to reach 80%.
    let disk: DiskUsage = { capacityBytes: 100, availableBytes: 15 };
    const events: { reason: string; type: string; message: string; kind?: string; name?: string }[] = [];
    const sink: GcEventSink = { event: (ref, type, reason, message) => events.push({ reason, type, message, kind: ref.kind, name: ref.name }) };
    const pod = { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [{ name: 'c', image: 'k8ts.local/gc/used:1' }] } };
    const gc = new ImageGarbageCollector({
      store, nodeName: 'node-a', events: sink, now: () => now, probe: () => Promise.resolve(disk),
      imagesInUse: () => imagesOfPods([pod] as unknown as Parameters<typeof imagesOfPods>[0]),
    });

    // Both images are younger than the 2 min minimum age: nothing is eligible.
    assert.equal(await gc.runOnce(), undefined);
    assert.equal((await store.list()).length, 2);
    const message = 'Failed to garbage collect required amount of images. Attempted to free 5 bytes, but only found 0 bytes eligible to free.';
    assert.deepEqual(events, [{ reason: 'FreeDiskSpaceFailed', type: 'Warning', message, kind: 'Node', name: 'node-a' }]);
    // A second failure in a row is reported as ImageGCFailed, as upstream's kubelet does.
    assert.equal(await gc.runOnce(), undefined);
    assert.deepEqual(events.map((e) => e.reason), ['FreeDiskSpaceFailed', 'FreeDiskSpaceFailed', 'ImageGCFailed']);
    assert.equal(events[2].message, message);

    // Below the high threshold GC does nothing, whatever the ages.
    now = imported + 10 * 60_000;
    disk = { capacityBytes: 100, availableBytes: 16 };
    assert.deepEqual((await gc.runOnce())?.removed, []);
    assert.equal((await store.list()).length, 2);

    // A container the kubelet still keeps (rootfs mounted, pod gone from the list) protects its image.
    disk = { capacityBytes: 100, availableBytes: 10 };
    await store.mountRootfs('kept', 'k8ts.local/gc/unused:1');
    assert.equal(await gc.runOnce(), undefined);
    assert.equal((await store.list()).length, 2);
    await store.unmountRootfs('kept');

    // Above it, old enough: the unused image goes, the used one and the shared layer stay.
    const result = await gc.runOnce();
    assert.deepEqual(result?.removed, [b.id]);
    assert.equal(result?.amountToFree, 10);
    assert.ok((result?.freedBytes ?? 0) >= 10);
    assert.deepEqual((await store.list()).map((i) => i.id), [a.id]);
    assert.equal((await store.resolve('k8ts.local/gc/unused:1')), undefined);
    assert.equal(await store.hasBlob(b.id), false);
    for (const digest of [a.id, ...a.layers]) {
      assert.equal(await store.hasBlob(digest), true, `${digest} of the used image stays`);
    }
    await stat(join(store.root, 'layers', a.diffIds[0].slice(7), 'bin/busybox'));

    // Nothing else is eligible: the used image is never removed.
    assert.equal(await gc.runOnce(), undefined);
    assert.deepEqual((await store.list()).map((i) => i.id), [a.id]);
  } finally {
    await store.unmountRootfs('kept').catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    await rm(used.dir, { recursive: true, force: true });
    await rm(unused.dir, { recursive: true, force: true });
  }
});

test('image GC refuses thresholds with low above high', () => {
  assert.throws(() => new ImageGarbageCollector({ store: new ImageStore('/nonexistent'), imagesInUse: () => [], highThresholdPercent: 70, lowThresholdPercent: 80 }), /invalid image GC thresholds/);
});
