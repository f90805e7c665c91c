/**
 * A long-running client (kubectl port-forward, attach) started with a test's client environment,
 * whose output is read while it runs, and which is stopped with SIGINT (as a user's Ctrl-C) or
 * SIGKILL. Used by the streaming comparisons that cannot wait for the command to end by itself.
 */
import { spawn } from 'node:child_process';
import type { ClientEnv } from './kubectl.ts';

/** A running tool. */
export interface LiveTool {
  stdout(): string;
  stderr(): string;
  exited(): boolean;
  /** Sends `signal` (default SIGINT) and resolves with the exit code (128 + n for a signal death) once it is gone; kills it after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

const signalNumbers: Readonly<Record<string, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Starts `bin args` with HOME/KUBECONFIG from `env` (plus `extraEnv`), stdin from `stdin` or closed. */
export function startLiveTool(bin: string, env: ClientEnv, args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}): LiveTool {
  const child = spawn(bin, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.home, KUBECONFIG: env.kubeconfig, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let code: number | undefined;
  const closed = new Promise<number>((resolve) => {
    child.on('close', (c, signal) => {
      code = c ?? 128 + (signal === null ? 0 : (signalNumbers[signal] ?? 0));
      resolve(code);
    });
    child.on('error', () => resolve(127));
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited: () => code !== undefined,
    stop: async (signal = 'SIGINT', graceMs = 20_000) => {
      if (code === undefined) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await closed;
        clearTimeout(timer);
      }
      return closed;
    },
  };
}
