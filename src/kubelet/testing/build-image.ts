/**
 * Builds small test images without a network: a busybox image from Debian's busybox-static
 * (the static binary, a symlink per applet, /etc/passwd and /etc/group), written as a
 * `docker save` archive or an OCI image layout archive, the two formats the store imports.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { mustRun } from '../runtime/command.ts';

/** The archive format to write. */
export const ArchiveFormat = { DockerSave: 'docker-save', OciLayout: 'oci' } as const;
export type ArchiveFormat = (typeof ArchiveFormat)[keyof typeof ArchiveFormat];

/** What to build. */
export interface BuildImageOptions {
  /** Directory to write the archive into (default: a new temp dir). */
  readonly outDir?: string;
  /** Reference to tag the image with (default `k8ts.local/test/busybox:latest`). */
  readonly ref?: string;
  readonly format?: ArchiveFormat;
  /** Image config Cmd (default `["sh"]`). */
  readonly cmd?: string[];
}

/** The built archive and its identity. */
export interface BuiltImage {
  readonly archivePath: string;
  readonly ref: string;
  /** `sha256:` of the config blob: the image id the store will report. */
  readonly imageId: string;
  /** The directory holding the archive (the caller removes it). */
  readonly dir: string;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Lays out a busybox root filesystem in `rootfs`. */
export async function makeBusyboxRootfs(rootfs: string, busyboxPath = '/bin/busybox'): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'var/www', 'home']) {
    await mkdir(join(rootfs, d), { recursive: true });
  }
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await copyFile(busyboxPath, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  const applets = (await mustRun(busyboxPath, ['--list-full'])).split('\n').filter((l) => l !== '' && l !== 'bin/busybox');
  for (const applet of applets) {
    const link = join(rootfs, applet);
    await mkdir(dirname(link), { recursive: true });
    await symlink('/bin/busybox', link).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') {
        throw err;
      }
    });
  }
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\n');
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\nwww-data:x:33:\n');
}

/** An image config's runtime part, as written into the archive. */
export interface ArchiveImageConfig {
  readonly Entrypoint?: string[];
  readonly Cmd?: string[];
  readonly Env?: string[];
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly ExposedPorts?: Record<string, object>;
  readonly StopSignal?: string;
}

/** Packs one rootfs directory as a single-layer image archive in `dir`. */
export async function writeImageArchive(
  rootfs: string, dir: string, ref: string, imageConfig: ArchiveImageConfig, format: ArchiveFormat = ArchiveFormat.DockerSave, name = 'image',
): Promise<BuiltImage> {
  const work = await mkdtemp(join(dir, 'pack-'));
  try {
    const layerTar = join(work, 'layer.tar');
    await mustRun('tar', ['--numeric-owner', '--owner=0', '--group=0', '--sort=name', '--mtime=@0', '-C', rootfs, '-cf', layerTar, '.']);
    const diffId = await sha256Of(layerTar);
    const config = {
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: imageConfig,
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: `k8ts testing: ${name}` }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configHex = createHash('sha256').update(configBytes).digest('hex');
    const out = join(work, 'out');
    if (format === ArchiveFormat.DockerSave) {
      await mkdir(join(out, diffId), { recursive: true });
      await copyFile(layerTar, join(out, diffId, 'layer.tar'));
      await writeFile(join(out, `${configHex}.json`), configBytes);
      await writeFile(join(out, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [ref], Layers: [`${diffId}/layer.tar`] }]));
    } else {
      const blobs = join(out, 'blobs', 'sha256');
      await mkdir(blobs, { recursive: true });
      const gz = join(work, 'layer.tar.gz');
      await pipeline(createReadStream(layerTar), createGzip(), createWriteStream(gz));
      const layerHex = await sha256Of(gz);
      await copyFile(gz, join(blobs, layerHex));
      await writeFile(join(blobs, configHex), configBytes);
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: configBytes.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${layerHex}`, size: (await stat(gz)).size }],
      }));
      const manifestHex = createHash('sha256').update(manifest).digest('hex');
      await writeFile(join(blobs, manifestHex), manifest);
      await writeFile(join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      await writeFile(join(out, 'index.json'), JSON.stringify({
        schemaVersion: 2,
        manifests: [{
          mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${manifestHex}`, size: manifest.length,
          annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref.slice(ref.lastIndexOf(':') + 1) },
        }],
      }));
    }
    const archivePath = join(dir, `${name}-${format}.tar`);
    await mustRun('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', out, '-cf', archivePath, '.']);
    return { archivePath, ref, imageId: `sha256:${configHex}`, dir };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds a busybox image archive; the caller removes `dir` when done. */
export async function buildBusyboxImage(options: BuildImageOptions = {}): Promise<BuiltImage> {
  const dir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'k8ts-img-')));
  const work = await mkdtemp(join(dir, 'work-'));
  try {
    const rootfs = join(work, 'rootfs');
    await makeBusyboxRootfs(rootfs);
    const config = { Cmd: options.cmd ?? ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/' };
    return await writeImageArchive(rootfs, dir, options.ref ?? 'k8ts.local/test/busybox:latest', config, options.format ?? ArchiveFormat.DockerSave, 'busybox');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
