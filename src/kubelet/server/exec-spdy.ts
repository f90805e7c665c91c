/**
 * exec and attach over plain SPDY/3.1: the fallback kubectl 1.35 (client-go's SPDY executor)
 * uses when a server refuses the WebSocket upgrade, and what older clients only speak. After
 * `101 Upgrade: SPDY/3.1` with the negotiated `X-Stream-Protocol-Version` (v4.channel.k8s.io;
 * v5 over SPDY carries nothing more), the client opens one stream per channel, named by the
 * `streamType` header: `error`, and as asked `stdin`, `stdout`, `stderr` (not with a TTY) and
 * `resize` (a TTY: a sequence of `{"Width":w,"Height":h}` objects). Once every expected stream is
 * there the command starts; its exit is reported on `error` as a metav1.Status JSON.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { RstStatus, SpdySession } from '../../spdy/session.ts';
import type { SpdyStream } from '../../spdy/session.ts';
import type { StreamSession } from '../runtime/types.ts';

/** The remotecommand protocols this server speaks over SPDY, best first. */
const PROTOCOLS = ['v4.channel.k8s.io'] as const;
/** What clients may offer that we answer with v4 (v5's addition, the stdin close signal, is WebSocket-only). */
const ACCEPTED = new Map([['v5.channel.k8s.io', 'v4.channel.k8s.io'], ['v4.channel.k8s.io', 'v4.channel.k8s.io']]);
/** Upstream's stream creation timeout: every stream must arrive within it. */
const STREAMS_TIMEOUT_MS = 30_000;

/** Which channels the request asked for. */
export interface ExecChannels {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/** The protocol to answer for the offered `X-Stream-Protocol-Version` headers, or undefined. */
export function negotiateExecProtocol(req: IncomingMessage): string | undefined {
  const offered = (req.headersDistinct['x-stream-protocol-version'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const p of offered) {
    const answer = ACCEPTED.get(p);
    if (answer !== undefined) {
      return answer;
    }
  }
  return undefined;
}

/** The 403 text upstream answers when no protocol matches. */
export function negotiationError(req: IncomingMessage): string {
  const offered = req.headersDistinct['x-stream-protocol-version'] ?? [];
  return `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(PROTOCOLS)}`;
}

function ended(stream: Readable | null): Promise<void> {
  if (stream === null || stream.readableEnded || stream.destroyed) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    setTimeout(resolve, 2000).unref(); // a grandchild holding the pipe must not hang the exec
  });
}

/** The session's exit code, once its output has also ended (both transports report status only then). */
export async function finished(session: StreamSession): Promise<number> {
  const code = await session.exit.catch(() => 1);
  await Promise.all([ended(session.stdout), ended(session.stderr)]);
  return code;
}

/** Resize events from a stream of concatenated JSON objects. */
function resizeReader(onSize: (width: number, height: number) => void): (chunk: Buffer) => void {
  let text = '';
  return (chunk) => {
    text += chunk.toString('utf8');
    let end: number;
    while ((end = text.indexOf('}')) >= 0) {
      const one = text.slice(0, end + 1);
      text = text.slice(end + 1);
      try {
        const size = JSON.parse(one) as { Width?: number; Height?: number };
        if ((size.Width ?? 0) > 0 && (size.Height ?? 0) > 0) {
          onSize(size.Width ?? 80, size.Height ?? 24);
        }
      } catch {
        // a malformed size is skipped, as upstream logs and carries on
      }
    }
  };
}

/**
 * Serves one exec/attach over the upgraded socket: waits for the channel streams, then calls
 * `start` and wires the session to them; `status` turns the exit code into the Status JSON.
 */
export function serveExecSpdy(socket: Duplex, protocol: string, channels: ExecChannels, start: () => Promise<StreamSession>, status: (exitCode: number) => Record<string, unknown>, log: (m: string) => void): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  const wanted = new Set<StreamType>(['error']);
  if (channels.stdin) {
    wanted.add('stdin');
  }
  if (channels.stdout) {
    wanted.add('stdout');
  }
  if (channels.stderr && !channels.tty) {
    wanted.add('stderr');
  }
  if (channels.tty) {
    wanted.add('resize');
  }
  const streams = new Map<StreamType, SpdyStream>();
  let started = false;
  let exec: StreamSession | undefined;
  const early: Buffer[] = [];
  let stdinEnded = false;
  const timer = setTimeout(() => {
    log(`exec over SPDY: timed out waiting for the ${[...wanted].filter((t) => !streams.has(t)).join(', ')} stream(s)`);
    session.close();
  }, STREAMS_TIMEOUT_MS);
  timer.unref();

  const run = async (): Promise<void> => {
    clearTimeout(timer);
    const error = streams.get('error');
    try {
      exec = await start();
    } catch (e) {
      error?.write(Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: (e as Error).message, reason: 'InternalError', code: 500 })));
      session.close();
      return;
    }
    const s = exec;
    for (const chunk of early.splice(0)) {
      s.stdin?.write(chunk);
    }
    if (stdinEnded) {
      s.stdin?.end();
    }
    const out = streams.get('stdout');
    const err = streams.get('stderr');
    if (out !== undefined) {
      s.stdout.on('data', (d: Buffer) => out.write(d));
    } else {
      s.stdout.resume();
    }
    if (s.stderr !== null) {
      if (err !== undefined) {
        s.stderr.on('data', (d: Buffer) => err.write(d));
      } else {
        s.stderr.resume();
      }
    }
    const code = await finished(s);
    out?.end();
    err?.end();
    error?.write(Buffer.from(JSON.stringify(status(code))));
    error?.end();
    // Give the frames a moment to leave before the connection goes.
    setTimeout(() => session.close(), 100).unref();
  };

  const session = new SpdySession(socket, (stream) => {
    const type = stream.headers.get('streamtype') as StreamType | undefined;
    if (type === undefined || !wanted.has(type) || streams.has(type) || started) {
      stream.reset(RstStatus.ProtocolError);
      return;
    }
    streams.set(type, stream);
    if (type === 'stdin') {
      // Input that comes before the command has started is held until it has.
      stream.onData = (chunk) => (exec === undefined ? early.push(chunk) : exec.stdin?.write(chunk));
      stream.onEnd = () => {
        stdinEnded = true;
        exec?.stdin?.end();
      };
    } else if (type === 'resize') {
      stream.onData = resizeReader((w, h) => {
        exec?.resize(w, h).catch(() => undefined);
      });
    }
    if (streams.size === wanted.size) {
      started = true;
      void run();
    }
  });
  session.onClose = () => {
    clearTimeout(timer);
    exec?.close();
  };
}
