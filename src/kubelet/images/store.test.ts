import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, rm, stat, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBusyboxImage } from '../testing/build-image.ts';
import { importArchive } from './archive.ts';
import { convertWhiteouts } from './layers.ts';
import { ImageStore, isMountPoint } from './store.ts';

const isRoot = process.getuid?.() === 0;

test('imports docker-save and OCI archives, mounts an overlay rootfs, refuses rm while in use', { skip: !isRoot && 'needs root' }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'k8ts-store-'));
  const store = new ImageStore(root);
  const docker = await buildBusyboxImage({ ref: 'k8ts.local/t/bb:1' });
  const oci = await buildBusyboxImage({ ref: 'k8ts.local/t/bb-oci:2', format: 'oci', cmd: ['sh', '-c', 'true'] });
  try {
    const [a] = await importArchive(store, docker.archivePath);
    assert.equal(a.id, docker.imageId);
    assert.deepEqual(a.repoTags, ['k8ts.local/t/bb:1']);
    assert.deepEqual(a.config.Cmd, ['sh']);
    const [b] = await importArchive(store, oci.archivePath);
    assert.equal(b.id, oci.imageId);
    assert.deepEqual(b.repoTags, ['k8ts.local/t/bb-oci:2']);
    assert.equal(b.repoDigests.length, 1);
    // Same rootfs bytes → same diffID → the layer is unpacked once.
    assert.deepEqual(a.diffIds, b.diffIds);
    assert.equal((await store.resolve('k8ts.local/t/bb:1'))?.id, a.id);
    assert.equal((await store.resolve(a.id.slice(7, 19)))?.id, a.id);

    const mount = await store.mountRootfs('c1', 'k8ts.local/t/bb:1');
    assert.ok(await isMountPoint(mount.path));
    assert.equal(await readlink(join(mount.path, 'bin/sh')), '/bin/busybox');
    await writeFile(join(mount.path, 'tmp/x'), 'y');
    assert.equal((await store.usage()).get(a.id), 1);
    await assert.rejects(store.remove('k8ts.local/t/bb:1'), /in use/);
    await store.unmountRootfs('c1');
    assert.equal(await isMountPoint(mount.path), false);
    assert.equal(await store.remove('k8ts.local/t/bb:1'), true);
    assert.equal(await store.resolve('k8ts.local/t/bb:1'), undefined);
    // The shared layer stays for the OCI image.
    await stat(join(store.root, 'layers', b.diffIds[0].slice(7), 'bin/busybox'));
    assert.deepEqual(await store.garbageCollect(0, 0), [b.id]);
    assert.equal((await store.list()).length, 0);
    assert.equal(await store.diskUsage(), 0);
  } finally {
    await store.unmountRootfs('c1').catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    await rm(docker.dir, { recursive: true, force: true });
    await rm(oci.dir, { recursive: true, force: true });
  }
});

test('whiteouts become overlay whiteouts', { skip: !isRoot && 'needs root' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-wh-'));
  try {
    await mkdir(join(dir, 'etc/opaque'), { recursive: true });
    await writeFile(join(dir, 'etc/.wh.gone'), '');
    await writeFile(join(dir, 'etc/opaque/.wh..wh..opq'), '');
    await convertWhiteouts(dir);
    const gone = await stat(join(dir, 'etc/gone'));
    assert.ok(gone.isCharacterDevice());
    assert.equal(gone.rdev, 0);
    await assert.rejects(readFile(join(dir, 'etc/.wh.gone')));
    await assert.rejects(stat(join(dir, 'etc/opaque/.wh..wh..opq')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
