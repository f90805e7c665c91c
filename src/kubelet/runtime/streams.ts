/**
 * Streaming sessions: `exec` runs `runc exec` with piped stdio (with a tty, under a small pty
 * relay, since runc wants a controlling terminal); `attach` follows the container's CRI log
 * for output (conmon writes every byte there) and feeds stdin through conmon's attach socket.
 * That socket is SOCK_SEQPACKET, which Node cannot open, so a tiny fixed python3 relay writes
 * to it. Both relays are constant scripts; user input only ever travels as argv or data.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Writable } from 'node:stream';
import type { Runc } from './runc.ts';
import type { ContainerStatus, ExecOptions, StreamSession } from './types.ts';
import { ContainerState } from './types.ts';

/**
 * A fixed python3 pty relay: runc's `exec --tty` insists on a controlling terminal, which Node
 * cannot allocate. It runs argv under a new pty, copies stdin/stdout, turns stdin EOF into
 * ^D, applies `cols rows` lines from fd 3 as window sizes (runc forwards SIGWINCH), and exits
 * with the command's exit code. Resizes are applied before pending input, and the
 * terminal starts at 80x24 (a fresh pty is 0x0).
 */
const ptyRelay = [
  'import os,sys,pty,select,fcntl,termios,struct,tty',
  'pid,fd=pty.fork()',
  'if pid==0:',
  ' fcntl.ioctl(0,termios.TIOCSWINSZ,struct.pack("HHHH",24,80,0,0))',
  ' tty.setraw(0)',
  ' os.execvp(sys.argv[1],sys.argv[1:])',
  'fds=[0,fd,3]',
  'while fd in fds:',
  ' r,_,_=select.select(fds,[],[])',
  ' if fd in r:',
  '  try: d=os.read(fd,65536)',
  '  except OSError: d=b""',
  '  if d: os.write(1,d)',
  '  else: fds.remove(fd)',
  ' if 3 in r:',
  '  d=os.read(3,256)',
  '  if not d: fds.remove(3)',
  '  for l in d.decode().split("\\n"):',
  '   p=l.split()',
  '   if len(p)==2: fcntl.ioctl(fd,termios.TIOCSWINSZ,struct.pack("HHHH",int(p[1]),int(p[0]),0,0))',
  ' if 0 in r:',
  '  d=os.read(0,65536)',
  '  if d: os.write(fd,d)',
  '  else: fds.remove(0); os.write(fd,b"\\x04")',
  '_,st=os.waitpid(pid,0)',
  'c=os.waitstatus_to_exitcode(st)',
  'sys.exit(128-c if c<0 else c)',
].join('\n');

/** The python3 that runs the relays: the system one, not a version-manager shim (start-up must be fast). */
function pythonPath(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Starts `runc exec` for a streaming session (under the pty relay when a tty is asked for). */
export function execSession(runc: Runc, containerId: string, options: ExecOptions): StreamSession {
  const args = [...runc.globalArgs, 'exec'];
  if (options.tty === true) {
    args.push('--tty');
  }
  for (const e of options.env ?? []) {
    args.push('--env', `${e.key}=${e.value}`);
  }
  args.push(containerId, ...options.cmd);
  const tty = options.tty === true;
  const child = tty
    ? spawn(pythonPath(), ['-c', ptyRelay, runc.binary, ...args], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] })
    : spawn(runc.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  if (options.stdin !== true) {
    child.stdin.end();
  }
  const control = tty ? (child.stdio[3] as Writable) : undefined;
  control?.on('error', () => undefined);
  const exit = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => {
      control?.destroy();
      resolve(code ?? (signal !== null ? 128 + 9 : 1));
    });
    child.on('error', () => resolve(126));
  });
  child.stdin.on('error', () => undefined);
  return {
    stdin: options.stdin === true ? child.stdin : null,
    stdout: child.stdout,
    stderr: tty ? null : child.stderr,
    exit,
    resize: async (cols: number, rows: number) => {
      if (control === undefined) {
        throw new Error('resize needs a tty session');
      }
      control.write(`${Math.trunc(cols)} ${Math.trunc(rows)}\n`);
    },
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
  'os.write(1,b"ok\\n")',
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
    // The system python, not a version-manager shim: start-up must be fast.
    const child = spawn(pythonPath(), ['-c', relay, join(socketDir, containerId, 'attach')], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
      });
      child.stdout.once('data', () => resolve());
      child.on('close', () => reject(new Error(`attach to ${containerId}: ${err.trim().split('\n').pop() ?? 'relay exited'}`)));
    });
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
