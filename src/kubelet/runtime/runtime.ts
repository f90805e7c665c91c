/**
 * `RuncRuntime`: the CRI-shaped ContainerRuntime over runc, with conmon as each container's
 * shim, CNI pod networking and the local image store. All state is on disk (StateDir, runc's
 * root, conmon's exit files), so a new instance on the same root dir adopts running pods.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, watch } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { Semaphore } from '../../simnodes/limits.ts';
import type { ImageStore } from '../images/store.ts';
import type { PodNetwork } from '../network/pod-network.ts';
import { mustRun, runCommand } from './command.ts';
import { startConmon } from './conmon.ts';
import { hostCapabilities, oomKillCount, processStartTime, removeCgroup } from './host.ts';
import { containerSpec, defaultSeccompProfile, pauseSpec } from './oci-spec.ts';
import { writePodFiles } from './pod-files.ts';
import { Runc } from './runc.ts';
import type { ContainerMeta, SandboxMeta } from './state.ts';
import { StateDir } from './state.ts';
import { attachSession, execSession } from './streams.ts';
import type {
  ContainerConfig, ContainerFilter, ContainerResources, ContainerRuntime, ContainerStatus, ExecOptions, ExecResult,
  PodSandbox, PodSandboxConfig, SandboxFilter, StreamSession,
} from './types.ts';
import { ContainerState, NotFoundError, SandboxState } from './types.ts';
import { resolveUser } from './user.ts';

/** How the runtime is wired to the node. */
export interface RuncRuntimeOptions {
  /** The kubelet's root dir (`--root-dir`, default /var/lib/k8ts/kubelet). */
  readonly rootDir: string;
  readonly images: ImageStore;
  /** Pod networking; required unless every sandbox uses the host network. */
  readonly network?: PodNetwork;
  /** First path component of every cgroup we create (default `k8ts`): `/sys/fs/cgroup/<ctrl>/<cgroupRoot>/pod<uid>/<id>`. */
  readonly cgroupRoot?: string;
  readonly runcPath?: string;
  readonly conmonPath?: string;
  readonly catatonitPath?: string;
  /** How many sandboxes are set up at once (default: twice the CPU count); the rest wait in FIFO order. */
  readonly parallelSandboxStarts?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function newId(): string {
  // 32 hex characters: unique enough, and short enough for conmon's attach socket path.
  return randomBytes(16).toString('hex');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function processAlive(pid: number): Promise<boolean> {
  // A zombie has exited already; only its parent's wait is missing.
  return (await processStartTime(pid)) !== undefined;
}

/** Whether the process recorded as (pid, start time) still runs; undefined when nothing was recorded (older metadata). */
async function recordedAlive(pid: number | undefined, start: string | undefined): Promise<boolean | undefined> {
  if (pid === undefined || start === undefined) {
    return undefined;
  }
  return (await processStartTime(pid)) === start;
}

/** A signal as process.kill takes it, from an image's StopSignal ('SIGTERM', 'TERM', '15'); undefined if unknown. */
function signalFor(name: string): NodeJS.Signals | number | undefined {
  if (/^\d+$/.test(name)) {
    return Number(name);
  }
  const sig = `SIG${name.toUpperCase().replace(/^SIG/, '')}`;
  return sig in osConstants.signals ? (sig as NodeJS.Signals) : undefined;
}

/** Settles every task, then rethrows the first failure: the cleanup after a failure must not race a task still running. */
async function allOrFirstError<T extends readonly unknown[]>(tasks: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    throw failed.reason;
  }
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** The runc + conmon implementation of ContainerRuntime. */
export class RuncRuntime implements ContainerRuntime {
  private readonly state: StateDir;
  private readonly runc: Runc;
  private readonly options: RuncRuntimeOptions;
  private hostCaps: string[] | undefined;
  private readonly sandboxStarts: Semaphore;

  constructor(options: RuncRuntimeOptions) {
    this.options = options;
    this.sandboxStarts = new Semaphore(options.parallelSandboxStarts ?? 2 * availableParallelism());
    this.state = new StateDir(options.rootDir);
    this.runc = new Runc(this.state.runcRoot, options.runcPath);
  }

  private get cgroupRoot(): string {
    return this.options.cgroupRoot ?? 'k8ts';
  }

  private async sandboxMeta(id: string): Promise<SandboxMeta> {
    const meta = await this.state.readSandbox(id);
    if (meta === undefined) {
      throw new NotFoundError('sandbox', id);
    }
    return meta;
  }

  private async containerMeta(id: string): Promise<ContainerMeta> {
    const meta = await this.state.readContainer(id);
    if (meta === undefined) {
      throw new NotFoundError('container', id);
    }
    return meta;
  }

  private async launch(id: string, name: string, bundle: string, logPath: string, stdin: boolean, tty: boolean): Promise<number> {
    const t0 = performance.now();
    const pid = await startConmon({
      conmonPath: this.options.conmonPath, id, name, bundle, runcPath: this.runc.binary, runcRoot: this.runc.root,
      containerPidFile: join(bundle, 'pidfile'), conmonPidFile: join(bundle, 'conmon.pid'), exitDir: this.state.exitDir,
      logPath, socketDir: this.state.socketDir, stdin, tty,
    });
    if (process.env.K8TS_TRACE !== undefined) {
      process.stderr.write(`trace ${(performance.now() - t0).toFixed(1)} ms conmon + runc create ${name}\n`);
    }
    return pid;
  }

  /**
   * Creates the sandbox: netns via CNI, shared files, /dev/shm, and the pause process. A sandbox
   * start is CPU-bound here (a dozen processes, most of them Go programs): with many pods at once
   * they are set up a few at a time, in arrival order, so the first pods run early instead of all
   * of them finishing together at the end.
   */
  runPodSandbox(config: PodSandboxConfig): Promise<string> {
    return this.sandboxStarts.run(() => this.setUpSandbox(config));
  }

  private async setUpSandbox(config: PodSandboxConfig): Promise<string> {
    await this.state.init();
    const id = newId();
    const dir = this.state.sandboxDir(id);
    const rootfs = join(dir, 'rootfs');
    const shmPath = join(dir, 'shm');
    const cgroupParent = `/${this.cgroupRoot}/pod${config.metadata.uid}`;
    let netnsPath: string | undefined;
    try {
      const network = this.options.network;
      if (config.hostNetwork !== true && network === undefined) {
        throw new Error('pod networking is not configured');
      }
      for (const d of [join(rootfs, 'proc'), join(rootfs, 'dev'), shmPath]) {
        await mkdir(d, { recursive: true });
      }
      await writeFile(join(rootfs, 'catatonit'), '');
      // The empty netns first (the pause process joins it by path); then CNI ADD runs while conmon
      // creates the pause container: the two are independent and each costs several processes.
      const [, createdNetns] = await allOrFirstError<[void, string | undefined]>([
        mustRun('mount', ['-t', 'tmpfs', '-o', 'nosuid,nodev,noexec,mode=1777,size=65536k', 'shm', shmPath]).then(() => undefined),
        config.hostNetwork === true ? Promise.resolve(undefined) : (network as PodNetwork).createNamespace(id),
      ]);
      netnsPath = createdNetns;
      const hostname = config.hostname ?? config.metadata.name;
      const spec = pauseSpec({ rootfs, catatonitPath: this.options.catatonitPath ?? '/usr/bin/catatonit', hostname, cgroupsPath: `${cgroupParent}/${id}`, netnsPath });
      await writeFile(join(dir, 'config.json'), JSON.stringify(spec));
      const [net, pausePid] = await allOrFirstError<[{ ip: string } | undefined, number]>([
        config.hostNetwork === true ? Promise.resolve(undefined) : (network as PodNetwork).setUp({
          sandboxId: id, namespace: config.metadata.namespace, name: config.metadata.name, uid: config.metadata.uid,
          portMappings: (config.portMappings ?? []).map((p) => ({
            hostPort: p.hostPort, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp',
            ...(p.hostIp !== undefined && p.hostIp !== '' ? { hostIP: p.hostIp } : {}),
          })),
        }),
        this.launch(id, `${config.metadata.namespace}_${config.metadata.name}_pause`, dir, join(dir, 'pause.log'), false, false),
      ]);
      const ip = net?.ip ?? '';
      const etcFiles = await writePodFiles(dir, hostname, ip, config.dnsConfig, config.hostAliases);
      await this.runc.start(id, pausePid);
      const meta: SandboxMeta = {
        id, config, createdAt: Date.now(), ready: true, ip, netnsPath, pausePid, pauseStart: await processStartTime(pausePid), cgroupParent,
        logDirectory: config.logDirectory ?? join(this.options.rootDir, 'pods', config.metadata.uid), shmPath, etcFiles,
      };
      await mkdir(meta.logDirectory, { recursive: true });
      await this.state.writeSandbox(meta);
      return id;
    } catch (err) {
      await this.killAndDelete(id, dir).catch(() => undefined);
      if (netnsPath !== undefined) {
        await this.options.network?.tearDown(id).catch(() => undefined);
      }
      await runCommand('umount', [shmPath]);
      await removeCgroup(`${cgroupParent}/${id}`);
      await this.state.removeSandbox(id);
      throw err;
    }
  }

  /**
   * SIGKILLs a runc container, waits for conmon's exit file, deletes it from runc, stops its
   * conmon. Once conmon recorded the exit a plain `runc delete` does (RUNTIME.md: `delete -f` on a
   * running container costs ~107 ms); `--force` only when the exit never showed up.
   */
  private async killAndDelete(id: string, bundle: string): Promise<void> {
    let exited = await exists(this.state.exitFile(id));
    // runc state only on this unusual path (no exit recorded), to skip the wait for one runc never had.
    if (!exited && (await this.runc.state(id)) !== undefined) {
      await this.runc.kill(id, 'KILL', true);
      exited = await this.waitForExit(id, 10_000);
    }
    await this.runc.delete(id, !exited).catch(() => this.runc.delete(id, true));
    const conmonPid = Number(await readFile(join(bundle, 'conmon.pid'), 'utf8').catch(() => '0'));
    if (await processAlive(conmonPid)) {
      // conmon exits on its own after the container; give it a moment, then make sure.
      for (let i = 0; i < 40 && (await processAlive(conmonPid)); i++) {
        await sleep(25);
      }
      if (await processAlive(conmonPid)) {
        process.kill(conmonPid, 'SIGKILL');
      }
    }
  }

  /**
   * Signals a container's init process (recorded pid + start time) itself, as `runc kill` without
   * `--all` does, saving a runc process (20–50 ms of CPU here). Callers use it only for inits that
   * are PID 1 of their own pid namespace, where SIGKILL also ends every other process in it (the
   * kernel's rule), so it stands in for `runc kill --all` as well. True when signalled or already
   * gone; false when runc must do it (nothing recorded, or a signal name Node does not know).
   */
  private async signalInit(pid: number | undefined, start: string | undefined, signal: string): Promise<boolean> {
    const sig = signalFor(signal);
    if (pid === undefined || start === undefined || sig === undefined) {
      return false;
    }
    if ((await processStartTime(pid)) !== start) {
      return true;
    }
    try {
      process.kill(pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  /** Waits until conmon has written the exit file (or runc has forgotten the container). */
  private async waitForExit(id: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await exists(this.state.exitFile(id))) {
        return true;
      }
      if (Date.now() >= deadline) {
        return false;
      }
      await sleep(20);
    }
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const meta = await this.sandboxMeta(sandboxId);
    await Promise.all((await this.state.containers()).filter((c) => c.sandboxId === sandboxId).map((c) => this.stopContainer(c.id, 0)));
    if (!(await exists(this.state.exitFile(sandboxId)))) {
      // The pause process is PID 1 of the pod's pid namespace.
      if (!(await this.signalInit(meta.pausePid, meta.pauseStart, 'KILL'))) {
        await this.runc.kill(sandboxId, 'KILL', true);
      }
      await this.waitForExit(sandboxId, 10_000);
    }
    if (meta.netnsPath !== undefined) {
      await this.options.network?.tearDown(sandboxId);
    }
    meta.ready = false;
    meta.ip = '';
    await this.state.writeSandbox(meta);
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const meta = await this.state.readSandbox(sandboxId);
    if (meta === undefined) {
      return;
    }
    if (meta.ready) {
      await this.stopPodSandbox(sandboxId);
    }
    const dir = this.state.sandboxDir(sandboxId);
    // The containers, and the pause container, are independent: remove them all at once.
    const containers = (await this.state.containers()).filter((c) => c.sandboxId === sandboxId);
    await allOrFirstError([
      ...containers.map((c) => this.removeContainer(c.id)),
      this.killAndDelete(sandboxId, dir).then(() => runCommand('umount', [meta.shmPath])),
    ]);
    await removeCgroup(`${meta.cgroupParent}/${sandboxId}`);
    await removeCgroup(meta.cgroupParent);
    await rm(this.state.exitFile(sandboxId), { force: true });
    await this.state.removeSandbox(sandboxId);
  }

  private async sandboxView(meta: SandboxMeta): Promise<PodSandbox> {
    let ready = false;
    if (meta.ready) {
      ready = (await recordedAlive(meta.pausePid, meta.pauseStart)) ?? (await this.runc.state(meta.id))?.status === 'running';
    }
    return {
      id: meta.id, metadata: meta.config.metadata, state: ready ? SandboxState.Ready : SandboxState.NotReady, createdAt: meta.createdAt,
      labels: meta.config.labels ?? {}, annotations: meta.config.annotations ?? {}, ip: meta.ip, netnsPath: meta.netnsPath,
      pausePid: ready ? meta.pausePid : 0,
    };
  }

  async podSandboxStatus(sandboxId: string): Promise<PodSandbox> {
    return this.sandboxView(await this.sandboxMeta(sandboxId));
  }

  async listPodSandboxes(filter: SandboxFilter = {}): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const meta of await this.state.sandboxes()) {
      if (filter.uid === undefined || meta.config.metadata.uid === filter.uid) {
        out.push(await this.sandboxView(meta));
      }
    }
    return out;
  }

  /** Creates the container under conmon (`runc create`); it runs once startContainer is called. */
  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = await this.sandboxMeta(sandboxId);
    if (!sandbox.ready) {
      throw new Error(`sandbox ${sandboxId} is not ready`);
    }
    const image = await this.options.images.resolve(config.image);
    if (image === undefined) {
      throw new Error(`image "${config.image}" not present locally`);
    }
    const id = newId();
    const dir = this.state.containerDir(id);
    await mkdir(dir, { recursive: true });
    try {
      const mount = await this.options.images.mountRootfs(id, image.id);
      const entrypoint = config.command !== undefined && config.command.length > 0 ? [...config.command] : [...(image.config.Entrypoint ?? [])];
      const cmd = config.args !== undefined && config.args.length > 0 ? [...config.args]
        : config.command !== undefined && config.command.length > 0 ? [] : [...(image.config.Cmd ?? [])];
      const args = [...entrypoint, ...cmd];
      if (args.length === 0) {
        throw new Error('no command specified');
      }
      const env = new Map<string, string>();
      for (const e of image.config.Env ?? []) {
        const eq = e.indexOf('=');
        env.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
      }
      env.set('HOSTNAME', sandbox.config.hostname ?? sandbox.config.metadata.name);
      for (const e of config.env ?? []) {
        env.set(e.key, e.value);
      }
      if (!env.has('PATH')) {
        env.set('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
      }
      const sec = config.security ?? {};
      const user = await resolveUser(mount.path, image.config.User, sec.runAsUser, sec.runAsGroup);
      this.hostCaps ??= await hostCapabilities();
      const attempt = config.metadata.attempt ?? 0;
      const logPath = join(sandbox.logDirectory, config.logPath ?? join(config.metadata.name, `${attempt}.log`));
      await mkdir(dirname(logPath), { recursive: true });
      const cgroupsPath = `${sandbox.cgroupParent}/${id}`;
      const target = config.targetContainerId === undefined ? undefined : await this.pidNamespaceOf(sandboxId, config.targetContainerId);
      // A container in another one's PID namespace is not its PID 1: it is signalled as in a shared one.
      const sharePid = sandbox.config.shareProcessNamespace === true || target !== undefined;
      const res = config.resources ?? {};
      const spec = containerSpec({
        rootfs: mount.path, args, env: [...env].map(([k, v]) => `${k}=${v}`), cwd: config.workingDir || image.config.WorkingDir || '/',
        uid: user.uid, gid: user.gid, additionalGids: [...user.additionalGids, ...(sec.supplementalGroups ?? [])],
        cgroupsPath, tty: config.tty === true, readonlyRootfs: sec.readonlyRootfs === true, privileged: sec.privileged === true,
        noNewPrivileges: sec.noNewPrivileges === true, capAdd: sec.capabilities?.add ?? [], capDrop: sec.capabilities?.drop ?? [],
        hostCapabilities: this.hostCaps, memoryLimitBytes: res.memoryLimitBytes, cpuShares: res.cpuShares, cpuQuota: res.cpuQuota,
        cpuPeriod: res.cpuPeriod, pidsLimit: res.pidsLimit, pausePid: sandbox.pausePid, sharePid, pidNamespacePath: target, netnsPath: sandbox.netnsPath,
        shmPath: sandbox.shmPath, etcFiles: sandbox.etcFiles, mounts: config.mounts ?? [],
        seccomp: sec.seccomp === 'RuntimeDefault' ? defaultSeccompProfile() : undefined, annotations: { ...(config.annotations ?? {}) },
      });
      await writeFile(join(dir, 'config.json'), JSON.stringify(spec));
      const meta: ContainerMeta = {
        id, sandboxId, config, imageId: image.id, cgroupsPath, createdAt: Date.now(), logPath,
        stopSignal: image.config.StopSignal ?? 'SIGTERM', sharePid, startedAt: 0,
      };
      await this.state.writeContainer(meta);
      meta.pid = await this.launch(id, `${sandbox.config.metadata.namespace}_${sandbox.config.metadata.name}_${config.metadata.name}`, dir, logPath, config.stdin === true, config.tty === true);
      meta.pidStart = await processStartTime(meta.pid);
      await this.state.writeContainer(meta);
      return id;
    } catch (err) {
      await this.runc.delete(id, true).catch(() => undefined);
      await this.options.images.unmountRootfs(id).catch(() => undefined);
      await this.state.removeContainer(id);
      throw err;
    }
  }

  /** The PID namespace path of a running container of the sandbox (as `kubectl debug --target` asks), or why not. */
  private async pidNamespaceOf(sandboxId: string, targetId: string): Promise<string> {
    const target = await this.containerMeta(targetId).catch(() => undefined);
    if (target === undefined || target.sandboxId !== sandboxId || target.pid === undefined || (await recordedAlive(target.pid, target.pidStart)) !== true) {
      throw new Error(`target container ${targetId} is not running in this pod`);
    }
    return `/proc/${target.pid}/ns/pid`;
  }

  async startContainer(containerId: string): Promise<void> {
    const meta = await this.containerMeta(containerId);
    await this.runc.start(containerId, meta.pid);
    meta.startedAt = Date.now();
    await this.state.writeContainer(meta);
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const meta = await this.containerMeta(containerId);
    if (meta.finished !== undefined || (await exists(this.state.exitFile(containerId)))) {
      return;
    }
    let status = (await recordedAlive(meta.pid, meta.pidStart)) === false ? 'stopped' : undefined;
    if (status === undefined && meta.pidStart === undefined) {
      status = (await this.runc.state(containerId))?.status ?? 'stopped';
    }
    if (status === 'stopped') {
      return;
    }
    // Created but never started: the process waits on runc's exec fifo, only SIGKILL ends it.
    // In the pod's shared pid namespace the init is not PID 1 there: runc signals the whole cgroup.
    const ownPidNs = !meta.sharePid;
    if (timeoutSeconds > 0 && meta.startedAt > 0) {
      if (!ownPidNs || !(await this.signalInit(meta.pid, meta.pidStart, meta.stopSignal))) {
        await this.runc.kill(containerId, meta.stopSignal.replace(/^SIG/, ''), meta.sharePid);
      }
      if (await this.waitForExit(containerId, timeoutSeconds * 1000)) {
        return;
      }
    }
    if (!ownPidNs || !(await this.signalInit(meta.pid, meta.pidStart, 'KILL'))) {
      await this.runc.kill(containerId, 'KILL', true);
    }
    await this.waitForExit(containerId, 10_000);
  }

  async removeContainer(containerId: string): Promise<void> {
    const meta = await this.state.readContainer(containerId);
    if (meta === undefined) {
      return;
    }
    const dir = this.state.containerDir(containerId);
    await this.killAndDelete(containerId, dir);
    await this.options.images.unmountRootfs(containerId);
    await removeCgroup(meta.cgroupsPath);
    await rm(this.state.exitFile(containerId), { force: true });
    await this.state.removeContainer(containerId);
  }

  /** Works out a container's state from conmon's exit file and runc; records the exit once seen. */
  private async statusOf(meta: ContainerMeta): Promise<ContainerStatus> {
    let state: ContainerState = ContainerState.Unknown;
    let pid = 0;
    if (meta.finished === undefined) {
      const exitFile = this.state.exitFile(meta.id);
      const code = await readFile(exitFile, 'utf8').catch(() => undefined);
      if (code !== undefined) {
        const exitCode = Number.parseInt(code.trim(), 10);
        const at = (await stat(exitFile)).mtimeMs;
        const oom = (await oomKillCount(meta.cgroupsPath)) > 0;
        const reason = oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
        meta.finished = { at: Math.round(at), exitCode: Number.isNaN(exitCode) ? 255 : exitCode, reason };
        await this.state.writeContainer(meta);
      } else if (meta.pidStart !== undefined) {
        if (await recordedAlive(meta.pid, meta.pidStart)) {
          state = meta.startedAt > 0 ? ContainerState.Running : ContainerState.Created;
          pid = state === ContainerState.Running ? meta.pid ?? 0 : 0;
        } else if (meta.startedAt > 0) {
          // conmon is about to write the exit file; until then the container still counts as running.
          state = ContainerState.Running;
        }
      } else {
        const st = await this.runc.state(meta.id);
        if (st?.status === 'created') {
          state = ContainerState.Created;
        } else if (st?.status === 'running' || st?.status === 'paused') {
          state = ContainerState.Running;
          pid = st.pid;
        } else if (st?.status === 'stopped' && meta.startedAt > 0) {
          // conmon is about to write the exit file; until then the container still counts as running.
          state = ContainerState.Running;
        }
      }
    }
    const f = meta.finished;
    return {
      id: meta.id, sandboxId: meta.sandboxId, metadata: { name: meta.config.metadata.name, attempt: meta.config.metadata.attempt ?? 0 },
      image: meta.config.image, imageRef: meta.imageId, state: f !== undefined ? ContainerState.Exited : state,
      createdAt: meta.createdAt, startedAt: meta.startedAt, finishedAt: f?.at ?? 0, exitCode: f?.exitCode ?? 0,
      reason: f?.reason ?? '', message: '', pid, logPath: meta.logPath,
      labels: meta.config.labels ?? {}, annotations: meta.config.annotations ?? {},
    };
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return this.statusOf(await this.containerMeta(containerId));
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const meta of await this.state.containers()) {
      if (filter.sandboxId !== undefined && meta.sandboxId !== filter.sandboxId) {
        continue;
      }
      const status = await this.statusOf(meta);
      if (filter.state === undefined || status.state === filter.state) {
        out.push(status);
      }
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  async updateContainerResources(containerId: string, resources: ContainerResources): Promise<void> {
    await this.containerMeta(containerId);
    const args: string[] = [];
    if (resources.memoryLimitBytes !== undefined) {
      args.push('--memory', String(resources.memoryLimitBytes));
    }
    if (resources.cpuShares !== undefined) {
      args.push('--cpu-share', String(resources.cpuShares));
    }
    if (resources.cpuQuota !== undefined) {
      args.push('--cpu-quota', String(resources.cpuQuota), '--cpu-period', String(resources.cpuPeriod ?? 100_000));
    }
    if (resources.pidsLimit !== undefined) {
      args.push('--pids-limit', String(resources.pidsLimit));
    }
    if (args.length > 0) {
      await this.runc.update(containerId, args);
    }
  }

  /** Watches conmon's exit directory (inotify): each exit file names the container that ended. */
  watchExits(listener: (id: string) => void): () => void {
    mkdirSync(this.state.exitDir, { recursive: true });
    const watcher = watch(this.state.exitDir, (_event, file) => {
      if (file !== null && /^[0-9a-f]{32}$/.test(file)) {
        listener(file);
      }
    });
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  }

  async execSync(containerId: string, cmd: readonly string[], timeoutSeconds = 0): Promise<ExecResult> {
    await this.containerMeta(containerId);
    const result = await runCommand(this.runc.binary, [...this.runc.globalArgs, 'exec', containerId, ...cmd], {
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0,
    });
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.code };
  }

  async exec(containerId: string, options: ExecOptions): Promise<StreamSession> {
    await this.containerMeta(containerId);
    return execSession(this.runc, containerId, options);
  }

  async attach(containerId: string): Promise<StreamSession> {
    const meta = await this.containerMeta(containerId);
    return attachSession(meta.logPath, this.state.socketDir, containerId, meta.config.stdin === true, () => this.containerStatus(containerId));
  }
}
