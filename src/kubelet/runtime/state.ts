/**
 * The runtime's on-disk state under `<root-dir>/runtime`: one directory per sandbox and per
 * container holding its OCI bundle and a metadata file. Together with runc's state and conmon's
 * exit files this is everything a restarted kubelet needs to adopt what is running.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
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
  /** Set once the exit was observed, so it survives `runc delete` and cgroup removal. */
  finished?: { readonly at: number; readonly exitCode: number; readonly reason: string };
}

/** Paths of the runtime's state directory. */
export class StateDir {
  readonly base: string;

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

  private async readJson<T>(path: string): Promise<T | undefined> {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  private async writeJson(path: string, value: unknown): Promise<void> {
    // A unique temp name: concurrent writers of one file must not rename each other's temp file.
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(value, null, 2));
    await rename(tmp, path);
  }

  readSandbox(id: string): Promise<SandboxMeta | undefined> {
    return this.readJson<SandboxMeta>(join(this.sandboxDir(id), 'meta.json'));
  }

  writeSandbox(meta: SandboxMeta): Promise<void> {
    return this.writeJson(join(this.sandboxDir(meta.id), 'meta.json'), meta);
  }

  readContainer(id: string): Promise<ContainerMeta | undefined> {
    return this.readJson<ContainerMeta>(join(this.containerDir(id), 'meta.json'));
  }

  writeContainer(meta: ContainerMeta): Promise<void> {
    return this.writeJson(join(this.containerDir(meta.id), 'meta.json'), meta);
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
