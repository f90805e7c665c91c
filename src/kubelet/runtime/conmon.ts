/**
 * Starts conmon as the per-container shim (RUNTIME.md Extra A): it runs `runc create`, stays
 * the container's parent, writes the exit code to `<exit-dir>/<id>` and the output to a
 * CRI-format log, so nothing is lost while the kubelet is down. The creating call learns the
 * container pid (or runc's error) through conmon's sync pipe.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { spawnViaHelper } from './spawner.ts';

/** conmon's parameters for one container. */
export interface ConmonOptions {
  readonly conmonPath?: string;
  readonly id: string;
  readonly name: string;
  readonly bundle: string;
  readonly runcPath: string;
  readonly runcRoot: string;
  readonly containerPidFile: string;
  readonly conmonPidFile: string;
  readonly exitDir: string;
  readonly logPath: string;
  readonly socketDir: string;
  readonly stdin?: boolean;
  readonly tty?: boolean;
}

/** Starts conmon (which daemonizes) and resolves with the created container's pid. */
export async function startConmon(options: ConmonOptions): Promise<number> {
  const args = [
    '--api-version', '1',
    '-c', options.id, '-u', options.id, '-n', options.name,
    '-r', options.runcPath, '--runtime-arg', '--root', '--runtime-arg', options.runcRoot,
    '-b', options.bundle, '-p', options.containerPidFile, '-P', options.conmonPidFile,
    '--exit-dir', options.exitDir, '-l', `k8s-file:${options.logPath}`,
    '--socket-dir-path', options.socketDir, '--log-level', 'error',
  ];
  if (options.stdin === true) {
    args.push('-i', '--leave-stdin-open');
  }
  if (options.tty === true) {
    args.push('-t');
  }
  const env = { ...process.env };
  delete env._OCI_SYNCPIPE;
  const conmon = options.conmonPath ?? 'conmon';
  // Through the spawn helper: Node's own spawn blocks the event loop for the whole fork + exec
  // (a CPU profile showed ~50 ms of the kubelet's main thread per conmon on this machine).
  const stderrFile = join(options.bundle, 'conmon.stderr');
  const viaHelper = await spawnViaHelper({ file: conmon, args, env, cwd: options.bundle, timeoutMs: 0, syncPipeEnv: '_OCI_SYNCPIPE', stderrFile });
  const { message, stderr } = viaHelper === undefined ? await spawnHere(conmon, args, env, options.bundle) : {
    message: viaHelper.code === 0 ? viaHelper.stdout : '',
    stderr: async () => (viaHelper.code === 0 ? await readFile(stderrFile, 'utf8').catch(() => '') : viaHelper.stderr),
  };
  let parsed: { data?: number; message?: string };
  try {
    parsed = JSON.parse(message.slice(0, message.indexOf('}') + 1)) as { data?: number; message?: string };
  } catch {
    throw new Error(`conmon for ${options.id} failed: ${(await stderr()).trim() || message.trim() || 'no sync message'}`);
  }
  if (parsed.data === undefined || parsed.data <= 0) {
    throw new Error(`creating container ${options.name}: ${parsed.message ?? (await stderr()).trim()}`);
  }
  return parsed.data;
}

/** Starts conmon with Node's spawn (no spawn helper) and reads its sync pipe (fd 3). */
async function spawnHere(conmon: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ message: string; stderr: () => Promise<string> }> {
  const child = spawn(conmon, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { ...env, _OCI_SYNCPIPE: '3' }, detached: true, cwd });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const sync = child.stdio[3] as Readable;
  let text = '';
  const message = await new Promise<string>((resolve, reject) => {
    sync.setEncoding('utf8');
    sync.on('data', (d: string) => {
      text += d;
      if (text.includes('}')) {
        resolve(text);
      }
    });
    sync.on('end', () => resolve(text));
    sync.on('error', reject);
    child.on('error', reject);
  });
  sync.destroy();
  child.stderr?.destroy();
  child.unref();
  return { message, stderr: () => Promise.resolve(stderr) };
}
