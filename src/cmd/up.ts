/**
 * `k8ts up`: a one-node cluster in the foreground. Starts every component this binary has,
 * each as its own process (apiserver first, the rest once /readyz answers), restarts any that
 * dies (with backoff), merges a `k8ts` context into the user's kubeconfig as kind does, and on
 * SIGINT/SIGTERM stops everything it started before exiting.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminKubeconfig, DEFAULT_CONTEXT_NAME, loadKubeconfig, mergeIntoUserKubeconfig, userKubeconfigPath, writeKubeconfig } from '../kubeconfig/index.ts';
import { ensureClientCert } from '../pki/index.ts';
import { FlagError, formatUsage, parseFlags, passThrough } from './flags.ts';
import { defaultAdvertiseAddress } from '../dns/run.ts';
import { K8TS_DNS_USER } from '../apiserver/authz/bootstrap-policy.ts';

const specs = {
  'data-dir': { type: 'string', help: 'directory holding the cluster state (reused: a second up resumes the cluster)', default: '/var/lib/k8ts' },
  'secure-port': { type: 'int', help: 'the apiserver HTTPS port', default: 6443 },
  'bind-address': { type: 'string', help: 'the apiserver listen address', default: '0.0.0.0' },
  'storage-backend': { type: 'string', help: 'sqlite (embedded) or etcd3', default: 'sqlite' },
  'etcd-servers': { type: 'strings', help: 'etcd URLs for --storage-backend=etcd3' },
  'etcd-cafile': { type: 'string', help: 'CA file for https:// etcd servers' },
  'etcd-certfile': { type: 'string', help: 'client certificate file for etcd' },
  'etcd-keyfile': { type: 'string', help: 'client key file for etcd' },
  'authorization-mode': { type: 'strings', help: 'the apiserver\'s --authorization-mode (kubeadm\'s and k3s\'s: Node,RBAC; AlwaysAllow lets every authenticated user do anything)', default: ['Node', 'RBAC'] },
  'sim-nodes': { type: 'int', help: 'also run this many simulated nodes (k8ts sim-nodes)', default: 0 },
  'no-kubelet': { type: 'boolean', help: 'do not run a kubelet for this machine' },
  'no-proxy': { type: 'boolean', help: 'do not run kube-proxy (it writes nftables rules into this machine\'s network namespace)' },
  'kubelet-arg': { type: 'string', help: 'a kubelet flag as name=value (repeatable), e.g. --kubelet-arg cgroup-root=k8ts' },
  'kube-apiserver-arg': { type: 'string', help: 'an apiserver flag as name=value (repeatable, as k3s), e.g. --kube-apiserver-arg metric-resolution=5s' },
  'kube-controller-manager-arg': { type: 'string', help: 'a controller-manager flag as name=value (repeatable), e.g. --kube-controller-manager-arg horizontal-pod-autoscaler-sync-period=5s' },
  'kube-scheduler-arg': { type: 'string', help: 'a scheduler flag as name=value (repeatable)' },
  'no-dns': { type: 'boolean', help: 'do not run cluster DNS (k8ts dns: the kube-dns Service 10.96.0.10, served on this machine\'s address, port 53)' },
} as const;

const usageLine = 'Usage: k8ts up [flags]\n\nStarts a single-node cluster in the foreground; Ctrl-C stops it.';
const k8tsBin = new URL('../../bin/k8ts', import.meta.url).pathname;

/** What `up` was asked for. */
export interface UpContext {
  readonly dataDir: string;
  readonly securePort: number;
  readonly bindAddress: string;
  readonly storageBackend: string;
  readonly etcdServers: readonly string[];
  /** The apiserver's --authorization-mode (default Node,RBAC). */
  readonly authorizationModes?: readonly string[];
  /** Extra apiserver flags for etcd TLS, passed through as given. */
  readonly etcdTlsArgs?: readonly string[];
  readonly kubeconfig: string;
  /** How many simulated nodes to run (0: none). */
  readonly simNodes: number;
  readonly noKubelet: boolean;
  readonly noProxy: boolean;
  readonly noDns?: boolean;
  /** Extra kubelet flags (`--kubelet-arg name=value`), after up's own. */
  readonly kubeletArgs?: readonly string[];
  /** Extra apiserver, controller-manager and scheduler flags (`--kube-<component>-arg name=value`), after up's own. */
  readonly apiserverArgs?: readonly string[];
  readonly controllerManagerArgs?: readonly string[];
  readonly schedulerArgs?: readonly string[];
}

/** One supervised component: the `k8ts` subcommand, its flags, and the identity it talks to the apiserver as. */
export interface Component {
  readonly name: string;
  readonly command: string;
  /** Client-certificate identity (upstream's); its kubeconfig is `<data-dir>/<name>.kubeconfig`. */
  readonly identity?: { readonly user: string; readonly groups: readonly string[] };
  args(ctx: UpContext, kubeconfig: string): string[];
  /** Whether this cluster wants the component (default: yes, when the binary has it). */
  wanted?(ctx: UpContext): boolean;
  /** How long it may take to stop before it is killed (default 15 s). */
  readonly stopGraceMs?: number;
  /** A k8ts command run once the component has stopped, to take away what it left (e.g. nft rules). */
  cleanup?(ctx: UpContext, kubeconfig: string): string[];
}

const nodeName = hostname().toLowerCase();

/** What `up` runs the apiserver with unless told otherwise (kubeadm's and k3s's choice). */
export const DEFAULT_AUTHORIZATION_MODES: readonly string[] = ['Node', 'RBAC'];

/**
 * Every component `up` knows how to run, in start order. Only those the binary actually has
 * (listed by `k8ts --help`) are started; the apiserver must exist and starts first.
 */
export const components: readonly Component[] = [
  {
    name: 'apiserver',
    command: 'apiserver',
    args: (c) => ['--data-dir', c.dataDir, '--secure-port', String(c.securePort), '--bind-address', c.bindAddress, '--storage-backend', c.storageBackend,
      '--authorization-mode', (c.authorizationModes ?? DEFAULT_AUTHORIZATION_MODES).join(','),
      ...(c.etcdServers.length > 0 ? ['--etcd-servers', c.etcdServers.join(',')] : []), ...(c.etcdTlsArgs ?? []), ...(c.apiserverArgs ?? [])],
  },
  // Each controller as its own kube-system ServiceAccount (upstream's system:controller:* roles), and
  // the cluster CA for CertificateSigningRequests, as kubeadm runs it.
  { name: 'controller-manager', command: 'controller-manager', identity: { user: 'system:kube-controller-manager', groups: [] },
    args: (c, kc) => ['--kubeconfig', kc, '--use-service-account-credentials', '--cluster-signing-cert-file', join(c.dataDir, 'pki', 'ca.crt'), '--cluster-signing-key-file', join(c.dataDir, 'pki', 'ca.key'), ...(c.controllerManagerArgs ?? [])] },
  { name: 'scheduler', command: 'scheduler', identity: { user: 'system:kube-scheduler', groups: [] }, args: (c, kc) => ['--kubeconfig', kc, ...(c.schedulerArgs ?? [])] },
  { name: 'kubelet', command: 'kubelet', identity: { user: `system:node:${nodeName}`, groups: ['system:nodes'] }, args: (c, kc) => ['--kubeconfig', kc, '--root-dir', join(c.dataDir, 'kubelet'), '--hostname-override', nodeName, '--stop-pods-on-exit', ...(c.kubeletArgs ?? [])], wanted: (c) => !c.noKubelet,
    // Its pods get up to 10 s each (in parallel) to stop, then their sandboxes are torn down.
    stopGraceMs: 45_000 },
  // One process stands for many nodes, and the Node authorizer knows a node by its own
  // system:node:<name> identity, so the simulated fleet keeps a privileged identity.
  { name: 'sim-nodes', command: 'sim-nodes', identity: { user: 'system:sim-nodes', groups: ['system:masters'] }, args: (c, kc) => ['--kubeconfig', kc, '--count', String(c.simNodes)], wanted: (c) => c.simNodes > 0 },
  { name: 'proxy', command: 'proxy', identity: { user: 'system:kube-proxy', groups: [] }, args: (_c, kc) => ['--kubeconfig', kc, '--hostname-override', nodeName], wanted: (c) => !c.noProxy,
    // A stopped cluster leaves nothing behind: its Services' rules go with it (upstream's proxy keeps them across restarts).
    cleanup: (_c, kc) => ['proxy', '--kubeconfig', kc, '--cleanup'] },
  // Cluster DNS as a host process, bound by the bootstrap policy to system:k8ts-dns (it reads Services and
  // EndpointSlices and publishes the kube-dns Service and its EndpointSlice).
  // It binds the node address only, so a resolver the host already runs on 127.0.0.x:53 is left alone.
  { name: 'dns', command: 'dns', identity: { user: K8TS_DNS_USER, groups: [] }, args: (_c, kc) => ['--kubeconfig', kc, '--bind-address', defaultAdvertiseAddress('0.0.0.0')], wanted: (c) => c.noDns !== true },
];

/** Subcommands the k8ts binary offers, read from its usage text. */
function availableCommands(): Set<string> {
  let text = '';
  try {
    text = execFileSync(k8tsBin, ['--help'], { encoding: 'utf8' });
  } catch (e) {
    text = String((e as { stdout?: unknown }).stdout ?? '');
  }
  const after = text.split(/^Commands:$/m)[1] ?? '';
  return new Set([...after.matchAll(/^\s{2}(\S+)/gm)].map((m) => m[1]));
}

/** A component's process, restarted with exponential backoff until stopped. */
class Supervised {
  child: ChildProcess | undefined;
  private stopping = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly component: Component;
  private readonly args: string[];
  private readonly cleanupArgs: string[] | undefined;
  constructor(component: Component, ctx: UpContext, kubeconfig: string) {
    this.component = component;
    this.args = component.args(ctx, kubeconfig);
    this.cleanupArgs = component.cleanup?.(ctx, kubeconfig);
  }

  start(): void {
    const name = this.component.name;
    const started = Date.now();
    // Own process group: a terminal's Ctrl-C reaches `up` only, which stops children in order.
    const child = spawn(k8tsBin, [this.component.command, ...this.args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const prefix = (stream: NodeJS.ReadableStream | null): void => {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (d: string) => {
        const lines = (partial + d).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) {
          process.stderr.write(`[${name}] ${l}\n`);
        }
      });
    };
    prefix(child.stdout);
    prefix(child.stderr);
    process.stderr.write(`up: started ${name} (pid ${child.pid ?? '?'})\n`);
    child.once('exit', (code, signal) => {
      this.child = undefined;
      if (this.stopping) {
        return;
      }
      // A run that lasted a while resets the backoff: it was not a crash loop.
      this.failures = Date.now() - started > 60_000 ? 1 : this.failures + 1;
      const delay = Math.min(30_000, 1000 * 2 ** (this.failures - 1));
      process.stderr.write(`up: ${name} exited (${signal ?? `code ${code ?? '?'}`}); restarting in ${delay / 1000}s\n`);
      this.restartTimer = setTimeout(() => this.start(), delay);
    });
  }

  get name(): string {
    return this.component.name;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** SIGTERM, then SIGKILL to the whole group if it has not exited after `graceMs`. */
  async stop(graceMs = this.component.stopGraceMs ?? 15_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child === undefined || child.pid === undefined) {
      return;
    }
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, graceMs);
    await exited;
    clearTimeout(timer);
    try {
      // Anything the component left in its group goes with it.
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Nothing left.
    }
    if (this.cleanupArgs !== undefined) {
      await new Promise<void>((resolve) => {
        const c = spawn(k8tsBin, this.cleanupArgs ?? [], { stdio: 'ignore' });
        const timeout = setTimeout(() => c.kill('SIGKILL'), graceMs);
        c.once('error', () => resolve());
        c.once('exit', () => {
          clearTimeout(timeout);
          resolve();
        });
      });
    }
  }
}

function readyzOnce(url: string, ca: string): Promise<boolean> {
  return new Promise((done) => {
    const req = request(`${url}/readyz`, { ca, agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Polls /readyz (with the cluster CA) until 200; gives up if the apiserver keeps crashing. */
async function waitForApiserver(ctx: UpContext, apiserver: Supervised, stopped: () => boolean): Promise<boolean> {
  while (!stopped()) {
    if (apiserver.consecutiveFailures >= 5) {
      return false;
    }
    if (existsSync(ctx.kubeconfig) && existsSync(join(ctx.dataDir, 'pki', 'ca.crt'))) {
      try {
        const server = (await loadKubeconfig(ctx.kubeconfig)).clusters[0]?.cluster.server;
        if (server !== undefined && (await readyzOnce(server, readFileSync(join(ctx.dataDir, 'pki', 'ca.crt'), 'utf8')))) {
          return true;
        }
      } catch {
        // Not written completely yet: try again.
      }
    }
    await sleep(250);
  }
  return false;
}

/** Writes `<data-dir>/<component>.kubeconfig` with the component's own client certificate (admin's if it has no identity). */
export async function componentKubeconfig(ctx: UpContext, c: Component, server: string): Promise<string> {
  if (c.identity === undefined) {
    return ctx.kubeconfig;
  }
  const cert = await ensureClientCert(ctx.dataDir, c.name, c.identity.user, c.identity.groups);
  const path = join(ctx.dataDir, `${c.name}.kubeconfig`);
  const ca = readFileSync(join(ctx.dataDir, 'pki', 'ca.crt'), 'utf8');
  await writeKubeconfig(path, adminKubeconfig(server, ca, cert.certPem, cert.keyPem, DEFAULT_CONTEXT_NAME));
  return path;
}

/** Refuses a second `up` on a data dir whose first `up` is still alive. */
async function lockDataDir(dataDir: string): Promise<string> {
  const pidFile = join(dataDir, 'up.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    let alive = false;
    try {
      alive = Number.isInteger(pid) && pid > 0 && process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (alive) {
      throw new FlagError(`another k8ts up (pid ${pid}) is running on ${dataDir}`);
    }
  }
  await writeFile(pidFile, `${process.pid}\n`);
  return pidFile;
}

/** Entry point. */
export async function main(argv: string[]): Promise<number> {
  let ctx: UpContext;
  let pidFile: string;
  try {
    const split = passThrough(argv, ['kubelet', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    const { flags, args, help } = parseFlags(split.rest, specs);
    if (help) {
      process.stdout.write(formatUsage(usageLine, specs));
      return 0;
    }
    if (args.length > 0) {
      throw new FlagError(`unexpected argument "${args[0]}"`);
    }
    const dataDir = resolve(flags['data-dir'] ?? '/var/lib/k8ts');
    ctx = {
      dataDir,
      securePort: flags['secure-port'] ?? 6443,
      bindAddress: flags['bind-address'] ?? '0.0.0.0',
      storageBackend: flags['storage-backend'] ?? 'sqlite',
      authorizationModes: flags['authorization-mode'] ?? DEFAULT_AUTHORIZATION_MODES,
      etcdServers: flags['etcd-servers'] ?? [],
      etcdTlsArgs: (['etcd-cafile', 'etcd-certfile', 'etcd-keyfile'] as const).flatMap((f) => (flags[f] !== undefined ? [`--${f}`, resolve(flags[f])] : [])),
      kubeconfig: join(dataDir, 'admin.kubeconfig'),
      simNodes: flags['sim-nodes'] ?? 0,
      noKubelet: flags['no-kubelet'] ?? false,
      noProxy: flags['no-proxy'] ?? false,
      noDns: flags['no-dns'] ?? false,
      kubeletArgs: split.kubelet,
      apiserverArgs: split['kube-apiserver'],
      controllerManagerArgs: split['kube-controller-manager'],
      schedulerArgs: split['kube-scheduler'],
    };
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    pidFile = await lockDataDir(dataDir);
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`Error: ${e.message}\n\n${formatUsage(usageLine, specs)}`);
      return 1;
    }
    throw e;
  }

  const have = availableCommands();
  const running: Supervised[] = [];
  let stopRequested = false;
  let signalled: () => void = () => {};
  const stopSignal = new Promise<void>((r) => (signalled = r));
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopRequested) {
      // A second Ctrl-C: no more patience.
      for (const s of running) {
        if (s.child?.pid !== undefined) {
          try {
            process.kill(-s.child.pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }
      return;
    }
    process.stderr.write(`up: ${sig} received, stopping the cluster\n`);
    stopRequested = true;
    signalled();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let code = 0;
  try {
    const apiserver = new Supervised(components[0], ctx, ctx.kubeconfig);
    running.push(apiserver);
    apiserver.start();
    const ready = await Promise.race([waitForApiserver(ctx, apiserver, () => stopRequested), stopSignal.then(() => false)]);
    if (ready) {
      const admin = await loadKubeconfig(ctx.kubeconfig);
      const server = admin.clusters[0]?.cluster.server ?? '';
      for (const c of components.slice(1)) {
        if (have.has(c.command) && (c.wanted?.(ctx) ?? true)) {
          const s = new Supervised(c, ctx, await componentKubeconfig(ctx, c, server));
          running.push(s);
          s.start();
        }
      }
      const merged = await mergeIntoUserKubeconfig(admin, userKubeconfigPath());
      process.stdout.write(
        `k8ts cluster is up: ${server} (running: ${running.map((s) => s.name).join(', ')})\n` +
        `Merged context "k8ts" into ${merged} and made it current. Try:\n\n` +
        `  kubectl cluster-info\n  kubectl get namespaces\n\n` +
        `or, without touching your kubeconfig:  kubectl --kubeconfig ${ctx.kubeconfig} get namespaces\n` +
        `Press Ctrl-C to stop the cluster (its state stays in ${ctx.dataDir}).\n`,
      );
      await stopSignal;
    } else if (!stopRequested) {
      process.stderr.write('up: the apiserver keeps failing to start; giving up\n');
      code = 1;
    }
  } finally {
    // Dependents first, the apiserver last.
    for (const s of [...running].reverse()) {
      await s.stop();
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await rm(pidFile, { force: true });
  }
  process.stderr.write('up: stopped\n');
  return code;
}
