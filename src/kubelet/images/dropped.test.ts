import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBusyboxImage } from '../testing/build-image.ts';
import { importDroppedArchives } from './dropped.ts';
import { ImageStore } from './store.ts';

const isRoot = process.getuid?.() === 0;

test('archives dropped into <root-dir>/images are imported at start, once; a broken one is skipped', { skip: !isRoot && 'needs root' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-dropped-'));
  try {
    const image = await buildBusyboxImage({ ref: 'k8ts.local/dropped/busybox:1', outDir: dir });
    const store = new ImageStore(join(dir, 'root'));
    await store.init();
    await copyFile(image.archivePath, join(store.root, 'busybox.tar'));
    await writeFile(join(store.root, 'broken.tar'), 'not a tar');
    await writeFile(join(store.root, 'notes.txt'), 'ignored');
    const logs: string[] = [];
    const first = await importDroppedArchives(store, (m) => logs.push(m));
    assert.deepEqual(first, [{ file: 'busybox.tar', tags: ['k8ts.local/dropped/busybox:1'] }]);
    assert.ok(logs.some((l) => /importing image archive .*broken\.tar failed/.test(l)), logs.join('\n'));
    assert.ok((await store.list()).some((i) => i.repoTags.includes('k8ts.local/dropped/busybox:1')));
    // A restart with the same files imports nothing again; a touched archive is imported again.
    assert.deepEqual(await importDroppedArchives(store, () => undefined), []);
    const later = new Date(Date.now() + 5000);
    await utimes(join(store.root, 'busybox.tar'), later, later);
    assert.deepEqual((await importDroppedArchives(store, () => undefined)).map((d) => d.file), ['busybox.tar']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
