import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { mustRun } from '../runtime/command.ts';
import { pullImage } from './pull.ts';
import { ImageStore } from './store.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('pull: bearer-token challenge, multi-arch index resolved to this platform, blob redirect, digests verified', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-pull-'));
  const seen: string[] = [];
  let tokenAuth: string | undefined;
  try {
    await mkdir(join(dir, 'rootfs/etc'), { recursive: true });
    await writeFile(join(dir, 'rootfs/etc/motd'), 'pulled\n');
    await mustRun('tar', ['--owner=0', '--group=0', '-C', join(dir, 'rootfs'), '-cf', join(dir, 'layer.tar'), '.']);
    const tarBytes = await readFile(join(dir, 'layer.tar'));
    const layer = gzipSync(tarBytes);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['cat', '/etc/motd'] }, rootfs: { type: 'layers', diff_ids: [sha(tarBytes)] } }));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
    }));
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 1, platform: { os: 'linux', architecture: 's390x' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, platform: { os: 'linux', architecture: arch } },
      ],
    }));
    const blobs = new Map([[sha(config), config], [sha(layer), layer], [sha(manifest), manifest]]);
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(`${req.method} ${url.pathname}`);
      if (url.pathname === '/token') {
        tokenAuth = req.headers.authorization;
        res.end(JSON.stringify({ token: 'tok', expires_in: 300 }));
        return;
      }
      if (url.pathname.startsWith('/storage/')) {
        res.end(blobs.get(url.pathname.slice(9)));
        return;
      }
      if (req.headers.authorization !== 'Bearer tok') {
        const { port } = server.address() as AddressInfo;
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test-registry",scope="repository:lib/bb:pull"` });
        res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const m = /^\/v2\/lib\/bb\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
      if (m?.[1] === 'manifests' && m[2] === '1') {
        res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' });
        res.end(index);
      } else if (m?.[1] === 'manifests' && blobs.has(m[2])) {
        res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
        res.end(blobs.get(m[2]));
      } else if (m?.[1] === 'blobs' && blobs.has(m[2])) {
        res.writeHead(307, { Location: `/storage/${m[2]}` });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const store = new ImageStore(join(dir, 'root'));
      const image = await pullImage(store, `127.0.0.1:${port}/lib/bb:1`, { auth: { username: 'u', password: 'p' } });
      assert.equal(image.id, sha(config));
      assert.deepEqual(image.repoTags, [`127.0.0.1:${port}/lib/bb:1`]);
      assert.deepEqual(image.repoDigests, [`127.0.0.1:${port}/lib/bb@${sha(index)}`]);
      assert.deepEqual(image.config.Cmd, ['cat', '/etc/motd']);
      assert.equal(tokenAuth, `Basic ${Buffer.from('u:p').toString('base64')}`);
      assert.ok(!seen.some((s) => s.includes('b'.repeat(64))), 'the other platform is never fetched');
      assert.ok(seen.includes(`GET /storage/${sha(layer)}`));
      // A second pull by digest finds the blobs already present and downloads no layer.
      seen.length = 0;
      const again = await pullImage(store, `127.0.0.1:${port}/lib/bb@${sha(manifest)}`, { auth: { username: 'u', password: 'p' } });
      assert.equal(again.id, image.id);
      assert.ok(!seen.includes(`GET /storage/${sha(layer)}`));
      // A corrupted blob is refused.
      blobs.set(sha(config), Buffer.from('{"tampered":true}'));
      await assert.rejects(pullImage(new ImageStore(join(dir, 'root2')), `127.0.0.1:${port}/lib/bb:1`, { auth: { username: 'u', password: 'p' } }), /digest mismatch/);
    } finally {
      server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
