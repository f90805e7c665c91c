/**
 * Starts `bin/k8ts apiserver` as a real child process for end-to-end tests: a temp data dir
 * (unless given), a free port on 127.0.0.1, ready once the server says it serves (after its
 * bootstrap) and /readyz answers 200. `restart()` keeps the data dir and the port.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminKubeconfig, writeKubeconfig } from '../../src/kubeconfig/index.ts';
import { ensureClientCert } from '../../src/pki/index.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;

export interface StartApiServerOptions {
  readonly backend?: 'sqlite' | 'etcd3';
  readonly etcdServers?: readonly string[];
  /** Use (and keep) this data dir; default: a fresh temp dir removed by stop(). */
  readonly dataDir?: string;
  /** More `k8ts apiserver` flags (e.g. `--authorization-mode`, `RBAC`). */
  readonly extraArgs?: readonly string[];
}

export interface TestApiServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Path of `<dataDir>/admin.kubeconfig` (client certificate, CA embedded). */
  readonly kubeconfig: string;
  /** The admin bearer token from `<dataDir>/pki/tokens.csv` ('' with a custom --token-auth-file). */
  readonly token: string;
  /** The apiserver process id (-1 while stopped). */
  readonly pid: number;
  /** Sends a signal to the apiserver process (default SIGKILL): simulate a crash. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, wait for exit, remove the temp data dir (if we made it). */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same data dir and port. */
  restart(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  // A failing test must not leave apiservers behind.
  for (const c of live) {
    c.kill('SIGKILL');
  }
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function readyz(port: number, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', ca, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function launch(args: readonly string[]): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(k8ts, ['apiserver', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  const keep = (d: Buffer): void => {
    output = (output + d.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`apiserver did not start within 60s:\n${output}`));
    }, 60_000);
    child.stderr?.on('data', (d: Buffer) => {
      keep(d);
      const m = /serving on https:\/\/[^:]+:(\d+)/.exec(output);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`apiserver exited (${code ?? signal ?? '?'}) before serving:\n${output}`));
    });
  });
  return { child, port, output: () => output };
}

/** Starts a real apiserver process and waits until /readyz is 200. */
export async function startApiServer(opts: StartApiServerOptions = {}): Promise<TestApiServer> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'k8ts-apiserver-')));
  const backend = opts.backend ?? 'sqlite';
  const baseArgs = ['--data-dir', dataDir, '--bind-address', '127.0.0.1', '--storage-backend', backend, ...(opts.extraArgs ?? [])];
  if (backend === 'etcd3') {
    baseArgs.push('--etcd-servers', (opts.etcdServers ?? []).join(','));
  }
  let port = 0;
  let child: ChildProcess | undefined;
  let output = (): string => '';

  const start = async (): Promise<void> => {
    const l = await launch([...baseArgs, '--secure-port', String(port)]);
    child = l.child;
    port = l.port;
    output = l.output;
    const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
    const status = await readyz(port, ca);
    if (status !== 200) {
      child.kill('SIGKILL');
      throw new Error(`apiserver /readyz answered ${status}:\n${output()}`);
    }
  };
  const halt = async (): Promise<void> => {
    const c = child;
    if (c === undefined) {
      return;
    }
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await exited(c);
      clearTimeout(timer);
    }
    child = undefined;
  };

  try {
    await start();
  } catch (e) {
    if (ownDir) {
      await rm(dataDir, { recursive: true, force: true });
    }
    throw e;
  }
  // With a custom --token-auth-file there is no generated admin token.
  const tokenFile = join(dataDir, 'pki', 'tokens.csv');
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').split('\n')[0].split(',')[0] : '';
  return {
    get url() {
      return `https://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get pid() {
      return child?.pid ?? -1;
    },
    dataDir,
    kubeconfig: join(dataDir, 'admin.kubeconfig'),
    token,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      child?.kill(signal);
    },
    async stop() {
      await halt();
      if (ownDir) {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    async restart() {
      const c = child;
      if (c !== undefined && (c.exitCode !== null || c.signalCode !== null || c.killed)) {
        await exited(c);
        child = undefined;
      }
      await halt();
      await start();
    },
  };
}

/**
 * A kubeconfig at `<dataDir>/<base>.kubeconfig` for `user` in `groups`, with a client certificate
 * from the cluster CA in `dataDir` (e.g. a kubelet's `system:node:<name>` in `system:nodes`).
 */
export async function identityKubeconfig(server: string, dataDir: string, base: string, user: string, groups: readonly string[] = []): Promise<string> {
  const cert = await ensureClientCert(dataDir, base, user, groups);
  const path = join(dataDir, `${base}.kubeconfig`);
  await writeKubeconfig(path, adminKubeconfig(server, readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'), cert.certPem, cert.keyPem));
  return path;
}
