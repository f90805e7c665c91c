/**
 * Runs host tools (runc, conmon, ip, tar, CNI plugins ...) as child processes with an argv
 * array, never through a shell, and collects their output. Every runtime, image and network
 * module goes through here so errors name the command and carry its stderr.
 */
import { execFile } from 'node:child_process';
import { spawnViaHelper } from './spawner.ts';

/** What a finished command printed and how it ended. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for one command run. */
export interface CommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly cwd?: string;
  /** Kill the command after this many milliseconds (default 60 s). */
  readonly timeoutMs?: number;
}

/** A command that exited non-zero (or could not be started). */
export class CommandError extends Error {
  readonly command: string;
  readonly code: number;
  readonly stderr: string;
  readonly stdout: string;
  constructor(command: string, result: CommandResult) {
    const detail = (result.stderr.trim() || result.stdout.trim()).slice(0, 2000);
    super(`${command} failed (exit ${result.code}): ${detail}`);
    this.name = 'CommandError';
    this.command = command;
    this.code = result.code;
    this.stderr = result.stderr;
    this.stdout = result.stdout;
  }
}

/** Runs `file args...` and resolves with its result whatever the exit code. */
export async function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const t0 = performance.now();
  const result = await spawnViaHelper({ file, args, env: options.env ?? process.env, input: options.input, cwd: options.cwd, timeoutMs: options.timeoutMs ?? 60_000 })
    ?? await runHere(file, args, options);
  if (process.env.K8TS_TRACE !== undefined) {
    process.stderr.write(`trace ${(performance.now() - t0).toFixed(1)} ms ${file.split('/').pop()} ${args.slice(0, 4).join(' ')}\n`);
  }
  return result;
}

/** Runs the command with Node's own spawn (when the spawn helper is unavailable). */
function runHere(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        let code = 0;
        if (err !== null) {
          const e = err as NodeJS.ErrnoException & { code?: unknown };
          code = typeof e.code === 'number' ? e.code : 127;
          if (typeof e.code === 'string') {
            stderr = `${stderr}${e.message}`;
          }
        }
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.on('error', () => {
      // The tool may exit before reading its input; the exit code tells the story.
    });
    if (options.input !== undefined) {
      child.stdin?.end(options.input);
    } else {
      child.stdin?.end();
    }
  });
}

/** Runs `file args...` and throws CommandError unless it exits 0; resolves with stdout. */
export async function mustRun(file: string, args: readonly string[], options: CommandOptions = {}): Promise<string> {
  const result = await runCommand(file, args, options);
  if (result.code !== 0) {
    throw new CommandError([file, ...args].join(' '), result);
  }
  return result.stdout;
}
