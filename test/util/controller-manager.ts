/** `k8ts controller-manager` as a child process for e2e tests: its output kept for failure messages, stopped with SIGTERM. */
import { spawn } from 'node:child_process';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;

/** A running controller-manager. */
export interface TestControllerManager {
  /** Everything it printed so far. */
  log(): string;
  /** SIGTERM, then resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts `k8ts controller-manager --kubeconfig <kubeconfig> --leader-elect=false <args>`. */
export function startControllerManager(kubeconfig: string, args: readonly string[]): TestControllerManager {
  const cm = spawn(k8ts, ['controller-manager', '--kubeconfig', kubeconfig, '--leader-elect=false', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  cm.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  cm.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<void>((resolve) => cm.once('exit', () => resolve()));
  return {
    log: () => output,
    stop: async () => {
      if (cm.exitCode === null && cm.signalCode === null) {
        cm.kill('SIGTERM');
      }
      await exited;
    },
  };
}
