/**
 * The runtime's on-disk state under `<root-dir>/runtime`: one directory per sandbox and per
 * container holding its OCI bundle and a metadata file. Together with runc's state and conmon's
 * exit files this is everything a restarted kubelet needs to adopt what is running.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfig, PodSandboxConfig } from './types.ts';

/** What the runtime remembers about a sandbox. */
export interface SandboxMeta {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly createdAt: number;
  ready: boolean;
  ip: string;
  readonly netnsPath?: string;
  readonly pausePid: number;
  /** The pause process's start time (processStartTime), so liveness needs no runc call; absent in older metas. */
  readonly pauseStart?: string;
  readonly cgroupParent: string;
  readonly logDirectory: string;
  readonly shmPath: string;
  readonly etcFiles: Record<string, string>;
}

/** What the runtime remembers about a container. */
export interface ContainerMeta {
  readonly id: string;
  readonly sandboxId: string;
  readonly config: ContainerConfig;
  readonly imageId: string;
  readonly cgroupsPath: string;
  readonly createdAt: number;
  readonly logPath: string;
  readonly stopSignal: string;
  readonly sharePid: boolean;
  startedAt: number;
  /** The container's init process and its start time (processStartTime), from conmon at create; absent in older metas. */
  pid?: number;
  pidStart?: string;
  /** Set once the exit was observed, so it survives `runc delete` and cgroup removal. */
  finished?: { readonly at: number; readonly exitCode: number; readonly reason: string };
}

/**
 * Paths of the runtime's state directory, and its metadata files. The runtime is their only
 * writer, so parsed metadata is kept in memory (written through to disk): pod workers list
 * sandboxes and containers on every sync, and re-reading every file each time made a sync's
 * cost grow with the number of pods on the node.
 */
export class StateDir {
  readonly base: string;
  private readonly cache = new Map<string, SandboxMeta | ContainerMeta>();

  constructor(rootDir: string) {
    this.base = join(rootDir, 'runtime');
  }

  get runcRoot(): string {
    return join(this.base, 'runc');
  }

  get exitDir(): string {
    return join(this.base, 'exits');
  }

  get socketDir(): string {
    return join(this.base, 'socks');
  }

  sandboxDir(id: string): string {
    return join(this.base, 'sandboxes', id);
  }

  containerDir(id: string): string {
    return join(this.base, 'containers', id);
  }

  exitFile(id: string): string {
    return join(this.exitDir, id);
  }

  /** Creates the fixed directories (idempotent). */
  async init(): Promise<void> {
    for (const d of [this.runcRoot, this.exitDir, this.socketDir, join(this.base, 'sandboxes'), join(this.base, 'containers')]) {
      await mkdir(d, { recursive: true });
    }
  }

  private async readJson<T extends SandboxMeta | ContainerMeta>(key: string, path: string): Promise<T | undefined> {
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      return hit as T;
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) {
      return undefined;
    }
    // Two concurrent first reads: the first parsed copy wins, so every caller shares one object.
    const parsed = JSON.parse(text) as T;
    const raced = this.cache.get(key);
    if (raced !== undefined) {
      return raced as T;
    }
    this.cache.set(key, parsed);
    return parsed;
  }

  private async writeJson(key: string, path: string, value: SandboxMeta | ContainerMeta): Promise<void> {
    this.cache.set(key, value);
    // A unique temp name: concurrent writers of one file must not rename each other's temp file.
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(value, null, 2));
    await rename(tmp, path);
  }

  readSandbox(id: string): Promise<SandboxMeta | undefined> {
    return this.readJson<SandboxMeta>(`s/${id}`, join(this.sandboxDir(id), 'meta.json'));
  }

  writeSandbox(meta: SandboxMeta): Promise<void> {
    return this.writeJson(`s/${meta.id}`, join(this.sandboxDir(meta.id), 'meta.json'), meta);
  }

  readContainer(id: string): Promise<ContainerMeta | undefined> {
    return this.readJson<ContainerMeta>(`c/${id}`, join(this.containerDir(id), 'meta.json'));
  }

  writeContainer(meta: ContainerMeta): Promise<void> {
    return this.writeJson(`c/${meta.id}`, join(this.containerDir(meta.id), 'meta.json'), meta);
  }

  /** Removes a sandbox's directory (and its cached metadata). */
  async removeSandbox(id: string): Promise<void> {
    this.cache.delete(`s/${id}`);
    await rm(this.sandboxDir(id), { recursive: true, force: true });
  }

  /** Removes a container's directory (and its cached metadata). */
  async removeContainer(id: string): Promise<void> {
    this.cache.delete(`c/${id}`);
    await rm(this.containerDir(id), { recursive: true, force: true });
  }

  /** Every sandbox with a metadata file. */
  async sandboxes(): Promise<SandboxMeta[]> {
    const ids = await readdir(join(this.base, 'sandboxes')).catch(() => [] as string[]);
    const out: SandboxMeta[] = [];
    for (const id of ids) {
      const meta = await this.readSandbox(id);
      if (meta !== undefined) {
        out.push(meta);
      }
    }
    return out;
  }

  /** Every container with a metadata file. */
  async containers(): Promise<ContainerMeta[]> {
    const ids = await readdir(join(this.base, 'containers')).catch(() => [] as string[]);
    const out: ContainerMeta[] = [];
    for (const id of ids) {
      const meta = await this.readContainer(id);
      if (meta !== undefined) {
        out.push(meta);
      }
    }
    return out;
  }
}
