/**
 * Shared by the issue-3 scenario files (control-plane-scenario, control-plane-failover): a
 * `k8ts up --sim-nodes 5 --no-kubelet --no-proxy` cluster in a temp dir driven by the real
 * kubectl, processes whose output is kept for failure messages, a bounded `until`, and a pod
 * watch through `kubectl get pods -w` that records the fewest ready / most live pods seen.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientEnv, kubectl, kubectlOk, kubectlPath } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { freePort, until as untilShared } from '../util/wait.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;
/** The simulated nodes `up --sim-nodes 5` registers. */
export const SIM_NODES = ['sim-0', 'sim-1', 'sim-2', 'sim-3', 'sim-4'];

/** Object metadata as the tests read it. */
export interface Meta {
  name: string;
  namespace?: string;
  deletionTimestamp?: string;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  labels?: Record<string, string>;
}
/** A pod as the tests read it. */
export interface Pod {
  metadata: Meta;
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export { freePort };

/** A child process whose combined output is kept (bounded) for assertions and failure messages. */
export interface Proc {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<void>;
}

const procs = new Set<Proc>();

/** Starts `k8ts <args>`, keeping the last `keep` characters of its output. */
export function startProc(args: readonly string[], env: NodeJS.ProcessEnv, keep = 400_000): Proc {
  const child = spawn(k8ts, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d: Buffer): void => {
    out = (out + d.toString('utf8')).slice(-keep);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const p: Proc = { child, output: () => out, exited };
  procs.add(p);
  void exited.then(() => procs.delete(p));
  return p;
}

/** Signals a process and waits for it, SIGKILL after `graceMs`. */
export async function stopProc(p: Proc, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) {
    return;
  }
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** GET over HTTPS without verifying the (self-signed) serving certificate: status and body. */
export function getInsecure(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.end();
  });
}

let diagnostics = (): string => '';


/** Polls `check` until it returns a value; throws with the cluster's log tail after `ms`. */
export function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  return untilShared(what, check, { timeoutMs: ms, intervalMs: 300, context: () => diagnostics().slice(-8000) });
}

/**
 * A real `kubectl get pods -w` for one label selector: keeps the latest state of every pod it
 * has seen, and records the fewest Ready-and-not-terminating pods and the most not-terminating
 * pods observed once `arm()` was called.
 */
export function podWatch(env: ClientEnv, selector: string): { arm(): void; ready(): number; live(): number; minReady(): number; maxLive(): number; stop(): Promise<void> } {
  const tpl = '{.type} {.object.metadata.name} {.object.metadata.deletionTimestamp} {.object.status.conditions[?(@.type=="Ready")].status}{"\\n"}';
  const child = spawn(kubectlPath, ['get', 'pods', '-l', selector, '-w', '--output-watch-events', '-o', `jsonpath=${tpl}`], {
    env: { PATH: process.env.PATH ?? '', HOME: env.home, KUBECONFIG: env.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = new Map<string, { deleting: boolean; ready: boolean }>();
  let armed = false;
  let minReady = Infinity;
  let maxLive = 0;
  const count = (): { ready: number; live: number } => {
    let ready = 0;
    let live = 0;
    for (const s of state.values()) {
      live += s.deleting ? 0 : 1;
      ready += !s.deleting && s.ready ? 1 : 0;
    }
    return { ready, live };
  };
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      // "<TYPE> <name> <deletionTimestamp?> <Ready status?>" (empty fields collapse to extra spaces).
      const [type, name, deletion, ready] = line.split(' ');
      if (name === undefined || name === '') {
        continue;
      }
      if (type === 'DELETED') {
        state.delete(name);
      } else {
        state.set(name, { deleting: deletion !== '', ready: ready === 'True' });
      }
      if (armed) {
        const c = count();
        minReady = Math.min(minReady, c.ready);
        maxLive = Math.max(maxLive, c.live);
      }
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    arm: () => {
      armed = true;
      const c = count();
      minReady = c.ready;
      maxLive = c.live;
    },
    ready: () => count().ready,
    live: () => count().live,
    minReady: () => minReady,
    maxLive: () => maxLive,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A running `k8ts up` cluster and kubectl shorthands against it. */
export interface Cluster {
  readonly env: ClientEnv;
  readonly tmp: string;
  readonly dataDir: string;
  readonly up: Proc;
  json<T>(args: readonly string[]): Promise<T>;
  podsOf(selector: string, ns?: string): Promise<Pod[]>;
  apply(yaml: string): Promise<string>;
  rollout(what: string, ns?: string): Promise<string>;
  /** The pid `up` last reported for a component it started. */
  upPid(component: string): number;
  /** Stops every process started here (up last, gracefully) and removes the temp dir. */
  stop(): Promise<void>;
}

/** Starts `k8ts up --sim-nodes N` (default 5) in a temp dir and waits for N Ready nodes and the default ServiceAccount. */
export async function startCluster(simNodes = SIM_NODES.length): Promise<Cluster> {
  const tmp = await mkdtemp(join(tmpdir(), 'k8ts-scenario-'));
  const dataDir = join(tmp, 'data');
  const env = clientEnv(join(dataDir, 'admin.kubeconfig'));
  const port = await freePort();
  const up = startProc(['up', '--data-dir', dataDir, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--sim-nodes', String(simNodes), '--no-kubelet', '--no-proxy'], {
    PATH: process.env.PATH ?? '',
    HOME: tmp,
    KUBECONFIG: join(tmp, 'user.kubeconfig'),
  }, 4_000_000);
  diagnostics = () => up.output();
  const json = async <T>(args: readonly string[]): Promise<T> => JSON.parse(await kubectlOk(env, [...args, '-o', 'json'])) as T;
  const c: Cluster = {
    env,
    tmp,
    dataDir,
    up,
    json,
    podsOf: async (selector, ns = 'default') => (await json<{ items: Pod[] }>(['get', 'pods', '-n', ns, '-l', selector])).items,
    apply: (yaml) => kubectlOk(env, ['apply', '-f', '-'], { stdin: yaml }),
    rollout: (what, ns = 'default') => kubectlOk(env, ['rollout', 'status', what, '-n', ns, '--timeout=120s'], { timeoutMs: 130_000 }),
    upPid: (component) => {
      const all = [...up.output().matchAll(new RegExp(`up: started ${component} \\(pid (\\d+)\\)`, 'g'))];
      return Number(all.at(-1)?.[1]);
    },
    stop: async () => {
      for (const p of [...procs]) {
        if (p !== up) {
          await stopProc(p, 'SIGKILL', 5_000);
        }
      }
      // up stops its components in order; SIGKILL of the whole lot only if it hangs.
      await stopProc(up, 'SIGTERM', 40_000);
      env.cleanup();
      await rm(tmp, { recursive: true, force: true });
    },
  };
  try {
    await until('k8ts up reports the cluster up', async () => (/k8ts cluster is up/.test(up.output()) ? true : undefined), 90_000);
    await until(`${simNodes} Ready simulated nodes`, async () => {
      const r = await kubectl(env, ['get', 'nodes', '--no-headers']);
      return r.code === 0 && r.stdout.split('\n').filter((l) => / Ready /.test(l)).length === simNodes ? true : undefined;
    }, 90_000 + simNodes * 100);
    await until('the default ServiceAccount', async () => ((await kubectl(env, ['get', 'sa', 'default'])).code === 0 ? true : undefined));
  } catch (e) {
    await c.stop();
    throw e;
  }
  return c;
}
