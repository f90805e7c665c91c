/**
 * Streaming sessions: `exec` runs `runc exec` with piped stdio (with `--tty` runc allocates the
 * pty itself and relays it); `attach` follows the container's CRI log for output (conmon
 * writes every byte there) and feeds stdin through conmon's attach socket. That socket is
 * SOCK_SEQPACKET, which Node cannot open, so a tiny fixed python3 relay writes to it.
 */
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Runc } from './runc.ts';
import type { ContainerStatus, ExecOptions, StreamSession } from './types.ts';
import { ContainerState } from './types.ts';

/** Starts `runc exec` for a streaming session. */
export function execSession(runc: Runc, containerId: string, options: ExecOptions): StreamSession {
  const args = [...runc.globalArgs, 'exec'];
  if (options.tty === true) {
    args.push('--tty');
  }
  for (const e of options.env ?? []) {
    args.push('--env', `${e.key}=${e.value}`);
  }
  args.push(containerId, ...options.cmd);
  const child = spawn(runc.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  if (options.stdin !== true) {
    child.stdin.end();
  }
  const exit = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? (signal !== null ? 128 + 9 : 1)));
    child.on('error', () => resolve(126));
  });
  child.stdin?.on('error', () => undefined);
  return {
    stdin: options.stdin === true ? child.stdin : null,
    stdout: child.stdout,
    stderr: options.tty === true ? null : child.stderr,
    exit,
    resize: () => Promise.reject(new Error('resizing an exec tty is not supported by this runtime')),
    close: () => {
      child.kill('SIGKILL');
    },
  };
}

/** One parsed CRI log line: `<RFC3339Nano> <stream> <P|F> <content>`. */
export interface CriLogLine {
  readonly time: string;
  readonly stream: 'stdout' | 'stderr';
  /** True for a full line (`F`), false for a partial one (`P`). */
  readonly full: boolean;
  readonly content: string;
}

/** Parses one CRI-format log line; undefined for a malformed one. */
export function parseCriLogLine(line: string): CriLogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/.exec(line);
  if (m === null) {
    return undefined;
  }
  return { time: m[1], stream: m[2] as 'stdout' | 'stderr', full: m[3] === 'F', content: m[4] };
}

const relay = [
  'import socket,sys,os',
  's=socket.socket(socket.AF_UNIX,socket.SOCK_SEQPACKET)',
  's.connect(sys.argv[1])',
  'while True:',
  ' d=os.read(0,8192)',
  ' if not d: break',
  ' s.send(d)',
].join('\n');

/** Attaches to a container: output from its log (from now on), stdin through conmon. */
export async function attachSession(
  logPath: string, socketDir: string, containerId: string, withStdin: boolean, status: () => Promise<ContainerStatus>,
): Promise<StreamSession> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let offset = (await stat(logPath).catch(() => ({ size: 0 }))).size;
  let closed = false;
  let stdin: PassThrough | null = null;
  if (withStdin) {
    const child = spawn('python3', ['-c', relay, join(socketDir, containerId, 'attach')], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.on('error', () => undefined);
    stdin = new PassThrough();
    stdin.pipe(child.stdin);
  }
  let partial = '';
  const pump = async (): Promise<void> => {
    const fh = await open(logPath, 'r').catch(() => undefined);
    if (fh === undefined) {
      return;
    }
    try {
      const { size } = await fh.stat();
      if (size <= offset) {
        return;
      }
      const buf = Buffer.alloc(size - offset);
      await fh.read(buf, 0, buf.length, offset);
      offset = size;
      const text = partial + buf.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const parsed = parseCriLogLine(line);
        if (parsed !== undefined) {
          (parsed.stream === 'stdout' ? stdout : stderr).write(parsed.content + (parsed.full ? '\n' : ''));
        }
      }
    } finally {
      await fh.close();
    }
  };
  const exit = (async () => {
    for (;;) {
      await pump();
      const s = await status();
      if (s.state === ContainerState.Exited || closed) {
        await pump();
        stdout.end();
        stderr.end();
        stdin?.end();
        return s.exitCode;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stdin, stdout, stderr, exit,
    resize: () => Promise.reject(new Error('resizing an attached tty is not supported by this runtime')),
    close: () => {
      closed = true;
    },
  };
}
