/**
 * The node's local OCI image store under `<root>/images`: content-addressed blobs, one record
 * per image (keyed by config digest), layers unpacked once into per-diffID directories, and an
 * overlayfs mount per container whose lowerdirs are the image's layers. Which containers use
 * which image is kept on disk, so reference counts survive a kubelet restart.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun, runCommand } from '../runtime/command.ts';
import { sha256File, unpackLayer } from './layers.ts';
import { normalizeReference, parseReference, repositoryName } from './reference.ts';
import type { ImageRecord, OciImageConfig } from './types.ts';

/** A layer blob about to be added, already on local disk. */
export interface IncomingLayer {
  readonly digest: string;
  readonly path: string;
}

/** Everything needed to record an image. */
export interface IncomingImage {
  readonly configBytes: Buffer;
  readonly layers: readonly IncomingLayer[];
  readonly repoTags?: readonly string[];
  /** `repo@sha256:...` of the manifest, when it came from a registry or an OCI layout. */
  readonly repoDigests?: readonly string[];
}

/** A container's root filesystem mounted by the store. */
export interface RootfsMount {
  readonly path: string;
  readonly imageId: string;
}

/** The image store; safe to share between runtime instances on the same root. */
export class ImageStore {
  readonly root: string;
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(rootDir: string) {
    this.root = join(rootDir, 'images');
  }

  private blobPath(digest: string): string {
    const [algo, hex] = digest.split(':');
    if (algo !== 'sha256' || !/^[a-f0-9]{64}$/.test(hex ?? '')) {
      throw new Error(`unsupported digest ${digest}`);
    }
    return join(this.root, 'blobs', 'sha256', hex);
  }

  private layerDir(diffId: string): string {
    return join(this.root, 'layers', diffId.replace(/^sha256:/, ''));
  }

  private recordPath(id: string): string {
    return join(this.root, 'records', `${id.replace(/^sha256:/, '')}.json`);
  }

  private containerDir(containerId: string): string {
    return join(this.root, 'mounts', containerId);
  }

  /** Creates the directory layout (idempotent). */
  async init(): Promise<void> {
    for (const d of ['blobs/sha256', 'layers', 'records', 'mounts', 'tmp']) {
      await mkdir(join(this.root, d), { recursive: true });
    }
  }

  /** A fresh scratch directory under the store (same filesystem, so renames are atomic). */
  async tempDir(): Promise<string> {
    const dir = join(this.root, 'tmp', randomBytes(8).toString('hex'));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Whether a blob is present. */
  async hasBlob(digest: string): Promise<boolean> {
    return stat(this.blobPath(digest)).then(() => true, () => false);
  }

  /** Moves (or copies) a verified file into the blob store under its digest. */
  async putBlob(digest: string, path: string): Promise<void> {
    const actual = await sha256File(path);
    if (actual !== digest) {
      throw new Error(`digest mismatch: expected ${digest}, got ${actual}`);
    }
    const dest = this.blobPath(digest);
    if (await this.hasBlob(digest)) {
      return;
    }
    const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
    await copyFile(path, tmp);
    await rename(tmp, dest);
  }

  /** Reads a blob's bytes. */
  async readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  /** Records an image: stores its blobs, unpacks its layers once, tags it. Returns the record. */
  async addImage(incoming: IncomingImage): Promise<ImageRecord> {
    await this.init();
    const configFile = join(await this.tempDir(), 'config.json');
    await writeFile(configFile, incoming.configBytes);
    const id = await sha256File(configFile);
    await this.putBlob(id, configFile);
    await rm(join(configFile, '..'), { recursive: true, force: true });
    const config = JSON.parse(incoming.configBytes.toString('utf8')) as OciImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== incoming.layers.length) {
      throw new Error(`image config lists ${diffIds.length} layers but the manifest has ${incoming.layers.length}`);
    }
    let size = incoming.configBytes.length;
    for (const [i, layer] of incoming.layers.entries()) {
      await this.putBlob(layer.digest, layer.path);
      size += (await stat(this.blobPath(layer.digest))).size;
      await this.ensureUnpacked(layer.digest, diffIds[i]);
    }
    const now = new Date().toISOString();
    const existing = await this.getById(id);
    const record: ImageRecord = existing ?? {
      id, repoTags: [], repoDigests: [], layers: incoming.layers.map((l) => l.digest), diffIds, size,
      config: config.config ?? {}, architecture: config.architecture, os: config.os, createdAt: now, lastUsed: now,
    };
    for (const tag of incoming.repoTags ?? []) {
      await this.untagEverywhere(normalizeReference(tag), id);
      if (!record.repoTags.includes(normalizeReference(tag))) {
        record.repoTags.push(normalizeReference(tag));
      }
    }
    for (const d of incoming.repoDigests ?? []) {
      if (!record.repoDigests.includes(d)) {
        record.repoDigests.push(d);
      }
    }
    await this.writeRecord(record);
    return record;
  }

  private async writeRecord(record: ImageRecord): Promise<void> {
    const path = this.recordPath(record.id);
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(record, null, 2));
    await rename(tmp, path);
  }

  /** A tag moves to the newest image: drop it from whichever other image had it. */
  private async untagEverywhere(tag: string, exceptId: string): Promise<void> {
    for (const image of await this.list()) {
      if (image.id !== exceptId && image.repoTags.includes(tag)) {
        image.repoTags = image.repoTags.filter((t) => t !== tag);
        await this.writeRecord(image);
      }
    }
  }

  private ensureUnpacked(blobDigest: string, diffId: string): Promise<string> {
    const dir = this.layerDir(diffId);
    let pending = this.unpacking.get(diffId);
    if (pending === undefined) {
      pending = (async () => {
        if (await stat(join(dir, '..', `${diffId.replace(/^sha256:/, '')}.done`)).then(() => true, () => false)) {
          return dir;
        }
        const tmp = await this.tempDir();
        try {
          const seen = await unpackLayer(this.blobPath(blobDigest), tmp);
          if (seen !== diffId) {
            throw new Error(`layer ${blobDigest}: diffID ${seen} does not match the config's ${diffId}`);
          }
          await rm(dir, { recursive: true, force: true });
          await rename(tmp, dir);
          await writeFile(join(dir, '..', `${diffId.replace(/^sha256:/, '')}.done`), '');
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
        return dir;
      })().finally(() => this.unpacking.delete(diffId));
      this.unpacking.set(diffId, pending);
    }
    return pending;
  }

  /** All image records. */
  async list(): Promise<ImageRecord[]> {
    const names = await readdir(join(this.root, 'records')).catch(() => [] as string[]);
    const out: ImageRecord[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const text = await readFile(join(this.root, 'records', name), 'utf8').catch(() => undefined);
      if (text !== undefined) {
        out.push(JSON.parse(text) as ImageRecord);
      }
    }
    return out;
  }

  private async getById(id: string): Promise<ImageRecord | undefined> {
    const text = await readFile(this.recordPath(id), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as ImageRecord);
  }

  /** Finds an image by id (full or a unique hex prefix), by `repo:tag` or by `repo@digest`. */
  async resolve(ref: string): Promise<ImageRecord | undefined> {
    const images = await this.list();
    const hex = ref.replace(/^sha256:/, '');
    if (/^[a-f0-9]{12,64}$/.test(hex)) {
      const byId = images.filter((i) => i.id.slice(7).startsWith(hex));
      if (byId.length === 1) {
        return byId[0];
      }
    }
    let parsed;
    try {
      parsed = parseReference(ref);
    } catch {
      return undefined;
    }
    if (parsed.digest !== undefined) {
      const wanted = `${repositoryName(parsed)}@${parsed.digest}`;
      return images.find((i) => i.repoDigests.includes(wanted) || i.id === parsed.digest);
    }
    const key = normalizeReference(ref);
    return images.find((i) => i.repoTags.includes(key));
  }

  /** Image ids in use by mounted container root filesystems, with their counts. */
  async usage(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const ids = await readdir(join(this.root, 'mounts')).catch(() => [] as string[]);
    for (const c of ids) {
      const imageId = await readFile(join(this.containerDir(c), 'image'), 'utf8').catch(() => undefined);
      if (imageId !== undefined) {
        counts.set(imageId, (counts.get(imageId) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Mounts an overlay rootfs for a container (idempotent) and returns its path. */
  async mountRootfs(containerId: string, imageRef: string): Promise<RootfsMount> {
    const image = await this.resolve(imageRef);
    if (image === undefined) {
      throw new Error(`image "${imageRef}" not present locally`);
    }
    const dir = this.containerDir(containerId);
    const merged = join(dir, 'merged');
    for (const d of ['upper', 'work', 'merged']) {
      await mkdir(join(dir, d), { recursive: true });
    }
    await writeFile(join(dir, 'image'), image.id);
    if (!(await isMountPoint(merged))) {
      // overlayfs wants the top layer first; an image with no layers still needs one lowerdir.
      let lowers = [...image.diffIds].reverse().map((d) => this.layerDir(d));
      if (lowers.length === 0) {
        await mkdir(join(dir, 'empty'), { recursive: true });
        lowers = [join(dir, 'empty')];
      }
      const options = `lowerdir=${lowers.join(':')},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
      await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', options, merged]);
    }
    image.lastUsed = new Date().toISOString();
    await this.writeRecord(image);
    return { path: merged, imageId: image.id };
  }

  /** Unmounts and deletes a container's rootfs (idempotent). */
  async unmountRootfs(containerId: string): Promise<void> {
    const dir = this.containerDir(containerId);
    const merged = join(dir, 'merged');
    if (await isMountPoint(merged)) {
      const result = await runCommand('umount', [merged]);
      if (result.code !== 0) {
        await mustRun('umount', ['-l', merged]);
      }
    }
    await rm(dir, { recursive: true, force: true });
  }

  /**
   * Removes a reference; when it was the image's last reference (or `ref` is the id), deletes
   * the image and its now-unused blobs and layers. Refuses while a container uses the image.
   */
  async remove(ref: string): Promise<boolean> {
    const image = await this.resolve(ref);
    if (image === undefined) {
      return false;
    }
    let key: string | undefined;
    try {
      key = normalizeReference(ref);
    } catch {
      key = undefined;
    }
    if (key !== undefined && image.repoTags.includes(key) && image.repoTags.length > 1) {
      image.repoTags = image.repoTags.filter((t) => t !== key);
      await this.writeRecord(image);
      return true;
    }
    if ((await this.usage()).has(image.id)) {
      throw new Error(`image ${image.id} is in use by a container`);
    }
    await rm(this.recordPath(image.id), { force: true });
    await this.collectUnreferenced();
    return true;
  }

  /** Deletes blobs and unpacked layers no image record refers to. */
  private async collectUnreferenced(): Promise<void> {
    const images = await this.list();
    const blobs = new Set(images.flatMap((i) => [i.id, ...i.layers]).map((d) => d.slice(7)));
    const layers = new Set(images.flatMap((i) => i.diffIds).map((d) => d.slice(7)));
    for (const name of await readdir(join(this.root, 'blobs', 'sha256'))) {
      if (!blobs.has(name)) {
        await rm(join(this.root, 'blobs', 'sha256', name), { force: true });
      }
    }
    for (const name of await readdir(join(this.root, 'layers'))) {
      if (!layers.has(name.replace(/\.done$/, ''))) {
        await rm(join(this.root, 'layers', name), { recursive: true, force: true });
      }
    }
  }

  /** Total bytes of blobs in the store (the GC's measure of disk use). */
  async diskUsage(): Promise<number> {
    let total = 0;
    for (const name of await readdir(join(this.root, 'blobs', 'sha256')).catch(() => [] as string[])) {
      total += (await stat(join(this.root, 'blobs', 'sha256', name))).size;
    }
    return total;
  }

  /**
   * Image GC like the kubelet's: when usage is above `highBytes`, removes unused images,
   * least recently used first, until usage is at most `lowBytes`. Returns the removed ids.
   */
  async garbageCollect(highBytes: number, lowBytes: number): Promise<string[]> {
    const removed: string[] = [];
    if ((await this.diskUsage()) <= highBytes) {
      return removed;
    }
    const inUse = await this.usage();
    const candidates = (await this.list()).filter((i) => !inUse.has(i.id)).sort((a, b) => a.lastUsed.localeCompare(b.lastUsed));
    for (const image of candidates) {
      if ((await this.diskUsage()) <= lowBytes) {
        break;
      }
      await rm(this.recordPath(image.id), { force: true });
      await this.collectUnreferenced();
      removed.push(image.id);
    }
    return removed;
  }
}

/** Whether `path` is a mount point (its device differs from its parent's, or /proc/self/mountinfo lists it). */
export async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => line.split(' ')[4] === path);
}
