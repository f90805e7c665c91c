import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { mustRun } from '../runtime/command.ts';
import { unpackLayer } from './layers.ts';

test('unpackLayer: a layer with a megabyte of padding after the end-of-archive blocks unpacks, and its diffID covers every byte', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-layer-'));
  try {
    await mkdir(join(dir, 'rootfs/etc'), { recursive: true });
    await writeFile(join(dir, 'rootfs/etc/motd'), 'padded\n');
    await mustRun('tar', ['--owner=0', '--group=0', '-C', join(dir, 'rootfs'), '-cf', join(dir, 'layer.tar'), '.']);
    // tar stops reading at the end-of-archive marker, long before this padding ends.
    const tarBytes = Buffer.concat([await readFile(join(dir, 'layer.tar')), Buffer.alloc(1 << 20)]);
    const expected = `sha256:${createHash('sha256').update(tarBytes).digest('hex')}`;
    for (const [name, bytes] of [['plain', tarBytes], ['gzip', gzipSync(tarBytes)]] as const) {
      await writeFile(join(dir, `blob-${name}`), bytes);
      const dest = join(dir, `out-${name}`);
      await mkdir(dest);
      assert.equal(await unpackLayer(join(dir, `blob-${name}`), dest), expected, name);
      assert.equal(await readFile(join(dest, 'etc/motd'), 'utf8'), 'padded\n');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
