/**
 * Thin wrappers over the runc CLI with a private `--root`, so our containers never mix with
 * another runc user's on the same machine.
 */
import { CommandError, mustRun, runCommand } from './command.ts';
import { startThroughExecFifo } from './exec-fifo.ts';

/** runc's view of one container (`runc state` / `runc list --format json`). */
export interface RuncState {
  readonly id: string;
  readonly pid: number;
  readonly status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  readonly bundle: string;
  readonly created: string;
}

/** A runc binary bound to one state directory. */
export class Runc {
  readonly binary: string;
  readonly root: string;

  constructor(root: string, binary = '/usr/sbin/runc') {
    this.root = root;
    this.binary = binary;
  }

  /** The global arguments every call carries. */
  get globalArgs(): string[] {
    return ['--root', this.root];
  }

  /** The container's state, or undefined when runc does not know it. */
  async state(id: string): Promise<RuncState | undefined> {
    const result = await runCommand(this.binary, [...this.globalArgs, 'state', id]);
    if (result.code !== 0) {
      return undefined;
    }
    return JSON.parse(result.stdout) as RuncState;
  }

  /** Every container runc knows under our root. */
  async list(): Promise<RuncState[]> {
    const out = await mustRun(this.binary, [...this.globalArgs, 'list', '--format', 'json']);
    return (JSON.parse(out.trim() === '' ? 'null' : out) as RuncState[] | null) ?? [];
  }

  /**
   * Runs the created container's process. With its init pid known this is done through runc's
   * exec fifo, as `runc start` itself does, without spawning runc (exec-fifo.ts).
   */
  async start(id: string, initPid?: number): Promise<void> {
    const t0 = performance.now();
    if (initPid !== undefined && initPid > 0 && (await startThroughExecFifo(this.root, id, initPid))) {
      if (process.env.K8TS_TRACE !== undefined) {
        process.stderr.write(`trace ${(performance.now() - t0).toFixed(1)} ms exec fifo start ${id}\n`);
      }
      return;
    }
    await mustRun(this.binary, [...this.globalArgs, 'start', id]);
  }

  /** Sends a signal; `all` signals every process in the container's cgroup. Ignores "not running". */
  async kill(id: string, signal: string, all = false): Promise<void> {
    const result = await runCommand(this.binary, [...this.globalArgs, 'kill', ...(all ? ['--all'] : []), id, signal]);
    if (result.code !== 0 && !/not running|does not exist|process already finished|container not running/i.test(result.stderr)) {
      throw new CommandError(`runc kill ${id} ${signal}`, result);
    }
  }

  /** Deletes the container's runc state and cgroups; ignores an unknown id. */
  async delete(id: string, force = false): Promise<void> {
    const result = await runCommand(this.binary, [...this.globalArgs, 'delete', ...(force ? ['--force'] : []), id]);
    if (result.code !== 0 && !/does not exist|not found/i.test(result.stderr)) {
      throw new CommandError(`runc delete ${id}`, result);
    }
  }

  /** Changes cgroup limits of a running container. */
  async update(id: string, args: readonly string[]): Promise<void> {
    await mustRun(this.binary, [...this.globalArgs, 'update', ...args, id]);
  }
}
