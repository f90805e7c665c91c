/**
 * Imports image archives into the store: `docker save` tarballs (manifest.json with Config,
 * RepoTags, Layers) and OCI image layouts (oci-layout + index.json, tags from the
 * `org.opencontainers.image.ref.name` / `io.containerd.image.name` annotations).
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join, resolve as resolvePath, sep } from 'node:path';
import { mustRun } from '../runtime/command.ts';
import { sha256File } from './layers.ts';
import { normalizeReference, parseReference, repositoryName } from './reference.ts';
import type { ImageStore } from './store.ts';
import type { Descriptor, ImageIndex, ImageManifest, ImageRecord } from './types.ts';
import { pickPlatform } from './types.ts';

interface DockerSaveEntry {
  readonly Config: string;
  readonly RepoTags?: string[] | null;
  readonly Layers: string[];
}

/** Options for an import. */
export interface ImportOptions {
  /** Repository used for OCI entries whose ref.name annotation is only a tag (ctr's --base-name). */
  readonly baseName?: string;
}

function inside(root: string, rel: string): string {
  const full = resolvePath(root, rel);
  if (full !== root && !full.startsWith(root + sep)) {
    throw new Error(`archive entry ${rel} points outside the archive`);
  }
  return full;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Imports every image in a `docker save` or OCI layout archive (tar, optionally gzip). */
export async function importArchive(store: ImageStore, archivePath: string, options: ImportOptions = {}): Promise<ImageRecord[]> {
  await store.init();
  const dir = await store.tempDir();
  try {
    await mustRun('tar', ['-x', '--no-same-owner', '-f', archivePath, '-C', dir]);
    if (await exists(join(dir, 'index.json'))) {
      return await importOciLayout(store, dir, options);
    }
    if (await exists(join(dir, 'manifest.json'))) {
      return await importDockerSave(store, dir);
    }
    throw new Error(`${archivePath}: neither an OCI layout (index.json) nor a docker save archive (manifest.json)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function importDockerSave(store: ImageStore, dir: string): Promise<ImageRecord[]> {
  const entries = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DockerSaveEntry[];
  const out: ImageRecord[] = [];
  for (const entry of entries) {
    const configBytes = await readFile(inside(dir, entry.Config));
    const layers = [];
    for (const rel of entry.Layers) {
      const path = inside(dir, rel);
      layers.push({ digest: await sha256File(path), path });
    }
    out.push(await store.addImage({ configBytes, layers, repoTags: entry.RepoTags ?? [] }));
  }
  return out;
}

function blobIn(dir: string, digest: string): string {
  const [algo, hex] = digest.split(':');
  return inside(dir, join('blobs', algo ?? '', hex ?? ''));
}

function refName(desc: Descriptor, baseName: string | undefined): string | undefined {
  const full = desc.annotations?.['io.containerd.image.name'];
  if (full !== undefined) {
    return full;
  }
  const name = desc.annotations?.['org.opencontainers.image.ref.name'];
  if (name === undefined) {
    return undefined;
  }
  // A bare tag (the OCI convention) needs a repository; a full reference stands on its own.
  if (/^[\w][\w.-]{0,127}$/.test(name)) {
    return baseName !== undefined ? `${baseName}:${name}` : undefined;
  }
  return name;
}

async function importOciLayout(store: ImageStore, dir: string, options: ImportOptions): Promise<ImageRecord[]> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as ImageIndex;
  const out: ImageRecord[] = [];
  for (const top of index.manifests) {
    let desc = top;
    let doc = JSON.parse((await readFile(blobIn(dir, desc.digest))).toString('utf8')) as ImageManifest | ImageIndex;
    if ('manifests' in doc) {
      desc = pickPlatform(doc);
      doc = JSON.parse((await readFile(blobIn(dir, desc.digest))).toString('utf8')) as ImageManifest;
    }
    const manifest = doc as ImageManifest;
    const configBytes = await readFile(blobIn(dir, manifest.config.digest));
    const configDigest = await sha256File(blobIn(dir, manifest.config.digest));
    if (configDigest !== manifest.config.digest) {
      throw new Error(`config blob digest mismatch: expected ${manifest.config.digest}, got ${configDigest}`);
    }
    const layers = manifest.layers.map((l) => ({ digest: l.digest, path: blobIn(dir, l.digest) }));
    const name = refName(top, options.baseName);
    const repoTags = name !== undefined ? [normalizeReference(name)] : [];
    const repoDigests = name !== undefined ? [`${repositoryName(parseReference(name))}@${top.digest}`] : [];
    out.push(await store.addImage({ configBytes, layers, repoTags, repoDigests }));
  }
  return out;
}
