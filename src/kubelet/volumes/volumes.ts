/**
 * Pod volumes on the node: emptyDir (a directory, or tmpfs for medium Memory), hostPath,
 * configMap, secret, downwardAPI and projected (service-account token, configMap, secret and
 * downwardAPI sources in one directory, e.g. the `kube-api-access-*` volume) (files written under `<podDir>/volumes/<kind>/<name>`,
 * persistentVolumeClaim (the bound volume's hostPath/local path, claims.ts),
 * rewritten on every sync so updates propagate), and the bind mounts for a container's
 * volumeMounts (subPath, readOnly). `cleanupPodDir` unmounts and removes everything.
 */
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { runCommand } from '../runtime/command.ts';
import type { Mount } from '../runtime/types.ts';
import { fieldValue, resourceValue } from '../pods/container-config.ts';
import type { DataSource } from '../pods/container-config.ts';
import type { ContainerSpec, Pod, VolumeSpec } from '../pods/types.ts';
import { claimVolumePath } from './claims.ts';
import type { ClaimObjectReader } from './claims.ts';

/** A volume could not be set up (missing ConfigMap/Secret, bad hostPath): the pod waits. */
export class VolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

/** What volume setup needs. */
export interface VolumeContext {
  readonly podDir: string;
  readonly data: DataSource;
  readonly podIp: string;
  readonly hostIp: string;
  readonly nodeName: string;
  /** A bound service-account token for a projected serviceAccountToken source. */
  readonly token?: (audience: string | undefined, expirationSeconds: number) => Promise<string>;
  /** Reads claims and volumes for persistentVolumeClaim volumes (default: the kubelet's API client, see claims.ts). */
  readonly claims?: ClaimObjectReader;
}

interface ProjectedSource {
  readonly serviceAccountToken?: { readonly audience?: string; readonly expirationSeconds?: number; readonly path: string };
  readonly configMap?: { readonly name: string; readonly items?: readonly { readonly key: string; readonly path: string; readonly mode?: number }[]; readonly optional?: boolean };
  readonly secret?: { readonly name: string; readonly items?: readonly { readonly key: string; readonly path: string; readonly mode?: number }[]; readonly optional?: boolean };
  readonly downwardAPI?: { readonly items?: readonly { readonly path: string; readonly mode?: number; readonly fieldRef?: { readonly fieldPath: string }; readonly resourceFieldRef?: { readonly containerName?: string; readonly resource: string } }[] };
}

async function isMounted(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === path);
}

async function writeIfChanged(path: string, content: string | Buffer, mode: number): Promise<void> {
  const old = await readFile(path).catch(() => undefined);
  const next = typeof content === 'string' ? Buffer.from(content) : content;
  if (old === undefined || !old.equals(next)) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, next);
  }
  await chmod(path, mode);
}

function safeRelative(p: string): string {
  const n = normalize(p);
  if (n.startsWith('..') || n.startsWith('/')) {
    throw new VolumeError(`invalid path ${p}`);
  }
  return n;
}

async function writeKeys(dir: string, data: Readonly<Record<string, string>>, items: readonly { key: string; path: string; mode?: number }[] | undefined, defaultMode: number, binary: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  const wanted: readonly { key: string; path: string; mode?: number }[] = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  const keep = new Set<string>();
  for (const item of wanted) {
    const value = data[item.key];
    if (value === undefined) {
      throw new VolumeError(`configmap/secret key "${item.key}" not found`);
    }
    const rel = safeRelative(item.path);
    keep.add(rel.split('/')[0]);
    await writeIfChanged(join(dir, rel), binary ? Buffer.from(value, 'base64') : value, item.mode ?? defaultMode);
  }
  for (const entry of await readdir(dir)) {
    if (!keep.has(entry)) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}

/** The files of a downwardAPI volume or projection: path → value. */
function downwardData(pod: Pod, items: readonly { readonly path: string; readonly fieldRef?: { readonly fieldPath: string }; readonly resourceFieldRef?: { readonly containerName?: string; readonly resource: string } }[], ctx: VolumeContext): Record<string, string> {
  const data: Record<string, string> = {};
  for (const item of items) {
    if (item.fieldRef !== undefined) {
      data[item.path] = fieldValue(pod, item.fieldRef.fieldPath, ctx) ?? '';
    } else if (item.resourceFieldRef !== undefined) {
      const c = pod.spec.containers.find((x) => x.name === item.resourceFieldRef?.containerName);
      data[item.path] = resourceValue(c, item.resourceFieldRef.resource);
    }
  }
  return data;
}

/** The pod types predate PVC volumes: read the source off the volume as the API sends it. */
function claimSource(v: VolumeSpec): { readonly claimName: string; readonly readOnly?: boolean } | undefined {
  return (v as VolumeSpec & { readonly persistentVolumeClaim?: { readonly claimName: string; readonly readOnly?: boolean } }).persistentVolumeClaim;
}

/** Volume names whose every mount is read-only (a persistentVolumeClaim source with readOnly), per setUpVolumes result. */
const readOnlyVolumes = new WeakMap<ReadonlyMap<string, string>, ReadonlySet<string>>();

/** Makes (or refreshes) one volume; returns its host directory. */
async function setUpVolume(pod: Pod, v: VolumeSpec, ctx: VolumeContext): Promise<string> {
  const base = join(ctx.podDir, 'volumes');
  const ns = pod.metadata.namespace ?? 'default';
  if (v.hostPath !== undefined) {
    const type = v.hostPath.type ?? '';
    if (type === 'DirectoryOrCreate') {
      await mkdir(v.hostPath.path, { recursive: true });
    } else if (type === 'FileOrCreate') {
      await mkdir(dirname(v.hostPath.path), { recursive: true });
      await writeFile(v.hostPath.path, '', { flag: 'a' });
    } else if (type !== '') {
      const st = await stat(v.hostPath.path).catch(() => undefined);
      if (st === undefined) {
        throw new VolumeError(`hostPath type check failed: ${v.hostPath.path} does not exist`);
      }
    }
    return v.hostPath.path;
  }
  if (v.emptyDir !== undefined) {
    const dir = join(base, 'kubernetes.io~empty-dir', v.name);
    await mkdir(dir, { recursive: true });
    if (v.emptyDir.medium === 'Memory' && !(await isMounted(dir))) {
      await runCommand('mount', ['-t', 'tmpfs', '-o', 'mode=0777', 'tmpfs', dir]);
    } else {
      await chmod(dir, 0o777);
    }
    return dir;
  }
  if (v.configMap !== undefined || v.secret !== undefined) {
    const isSecret = v.secret !== undefined;
    const name = v.secret?.secretName ?? v.configMap?.name ?? '';
    const src = v.secret ?? v.configMap;
    const dir = join(base, isSecret ? 'kubernetes.io~secret' : 'kubernetes.io~configmap', v.name);
    const data = await ctx.data(isSecret ? 'secrets' : 'configmaps', ns, name);
    if (data === undefined && src?.optional !== true) {
      throw new VolumeError(`${isSecret ? 'secret' : 'configmap'} "${name}" not found`);
    }
    await writeKeys(dir, data ?? {}, src?.items, src?.defaultMode ?? 0o644, false);
    return dir;
  }
  if (v.downwardAPI !== undefined) {
    const dir = join(base, 'kubernetes.io~downward-api', v.name);
    const data = downwardData(pod, v.downwardAPI.items ?? [], ctx);
    await writeKeys(dir, data, undefined, v.downwardAPI.defaultMode ?? 0o644, false);
    return dir;
  }
  if (v.projected !== undefined) {
    const dir = join(base, 'kubernetes.io~projected', v.name);
    const data: Record<string, string> = {};
    const items: { key: string; path: string; mode?: number }[] = [];
    const add = (path: string, value: string, mode?: number): void => {
      data[path] = value;
      items.push({ key: path, path, mode });
    };
    for (const src of (v.projected.sources ?? []) as readonly ProjectedSource[]) {
      if (src.serviceAccountToken !== undefined) {
        if (ctx.token === undefined) {
          throw new VolumeError('no token source for a serviceAccountToken projection');
        }
        const t = src.serviceAccountToken;
        add(t.path, await ctx.token(t.audience, t.expirationSeconds ?? 3600));
      } else if (src.configMap !== undefined || src.secret !== undefined) {
        const isSecret = src.secret !== undefined;
        const ref = src.secret ?? src.configMap;
        const values = await ctx.data(isSecret ? 'secrets' : 'configmaps', ns, ref?.name ?? '');
        if (values === undefined) {
          if (ref?.optional === true) {
            continue;
          }
          throw new VolumeError(`${isSecret ? 'secret' : 'configmap'} "${ref?.name ?? ''}" not found`);
        }
        const wanted: readonly { key: string; path: string; mode?: number }[] = ref?.items ?? Object.keys(values).map((key) => ({ key, path: key }));
        for (const item of wanted) {
          const value = values[item.key];
          if (value === undefined) {
            throw new VolumeError(`configmap/secret key "${item.key}" not found`);
          }
          add(item.path, value, item.mode);
        }
      } else if (src.downwardAPI !== undefined) {
        const d = downwardData(pod, src.downwardAPI.items ?? [], ctx);
        for (const item of src.downwardAPI.items ?? []) {
          add(item.path, d[item.path] ?? '', item.mode);
        }
      }
    }
    await writeKeys(dir, data, items, v.projected.defaultMode ?? 0o644, false);
    return dir;
  }
  const claim = claimSource(v);
  if (claim !== undefined) {
    const reader = ctx.claims;
    if (reader === undefined) {
      throw new VolumeError('no API client to read persistentVolumeClaim volumes');
    }
    return claimVolumePath(ns, claim.claimName, reader);
  }
  // Unsupported kinds get an empty directory so the pod still starts.
  const dir = join(base, 'kubernetes.io~unsupported', v.name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Sets up every volume of the pod; returns volume name → host path. Throws VolumeError. */
export async function setUpVolumes(pod: Pod, ctx: VolumeContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const readOnly = new Set<string>();
  for (const v of pod.spec.volumes ?? []) {
    out.set(v.name, await setUpVolume(pod, v, ctx));
    if (claimSource(v)?.readOnly === true) {
      readOnly.add(v.name);
    }
  }
  readOnlyVolumes.set(out, readOnly);
  return out;
}

/** The bind mounts of one container (subPath directories are created as the kubelet does). */
export async function containerMounts(container: ContainerSpec, volumes: ReadonlyMap<string, string>): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const host = volumes.get(vm.name);
    if (host === undefined) {
      throw new VolumeError(`volume "${vm.name}" not found`);
    }
    let hostPath = host;
    if (vm.subPath !== undefined && vm.subPath !== '') {
      hostPath = join(host, safeRelative(vm.subPath));
      if (await stat(hostPath).then(() => false, () => true)) {
        await mkdir(hostPath, { recursive: true });
      }
    }
    const forcedReadOnly = readOnlyVolumes.get(volumes)?.has(vm.name) === true;
    mounts.push({ containerPath: vm.mountPath, hostPath, readonly: vm.readOnly === true || forcedReadOnly });
  }
  return mounts;
}

/** Unmounts whatever is mounted under the pod dir (tmpfs emptyDirs) and removes it. */
export async function cleanupPodDir(podDir: string): Promise<void> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts = info.split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => m !== undefined && m.startsWith(`${podDir}/`));
  for (const m of mounts.sort().reverse()) {
    await runCommand('umount', ['-l', m]);
  }
  await rm(podDir, { recursive: true, force: true });
}
