/**
 * `/exec/<ns>/<pod>/<container>` and `/attach/<ns>/<pod>/<container>` (plain SPDY/3.1: exec-spdy.ts) and over WebSocket with the
 * `v5.channel.k8s.io` (or v4) subprotocol, as kubectl 1.35 speaks it: binary frames whose first
 * byte is the channel — 0 stdin, 1 stdout, 2 stderr, 3 status (a metav1.Status JSON), 4 resize
 * (`{"Width":w,"Height":h}`), and in v5 `255 0` closes stdin. The exit code is reported on
 * channel 3 before the socket closes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ContainerRuntime, StreamSession } from '../runtime/types.ts';
import { finished, negotiateExecProtocol, negotiationError, serveExecSpdy } from './exec-spdy.ts';
import { findContainer } from './lookup.ts';

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false),
});

const Channel = { Stdin: 0, Stdout: 1, Stderr: 2, Error: 3, Resize: 4, Close: 255 } as const;

function reject(socket: Duplex, code: number, reason: string, message: string): void {
  const body = Buffer.from(message);
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${message}`);
}

/** The Status JSON sent on channel 3 for an exit code (upstream's wording). */
export function exitStatus(exitCode: number, cmd: readonly string[]): Record<string, unknown> {
  if (exitCode === 0) {
    return { metadata: {}, status: 'Success' };
  }
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

function pipeSession(ws: WebSocket, session: StreamSession, cmd: readonly string[], stdout: boolean, stderr: boolean): void {
  const send = (channel: number, data: Buffer | string): void => {
    if (ws.readyState === ws.OPEN) {
      ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
    }
  };
  if (stdout) {
    session.stdout.on('data', (d: Buffer) => send(Channel.Stdout, d));
  } else {
    session.stdout.resume();
  }
  if (session.stderr !== null) {
    if (stderr) {
      session.stderr.on('data', (d: Buffer) => send(Channel.Stderr, d));
    } else {
      session.stderr.resume();
    }
  }
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const buf = isBinary ? data : Buffer.from(data);
    if (buf.length === 0) {
      return;
    }
    const channel = buf[0];
    const payload = buf.subarray(1);
    if (channel === Channel.Stdin) {
      session.stdin?.write(payload);
    } else if (channel === Channel.Resize) {
      try {
        const size = JSON.parse(payload.toString('utf8')) as { Width?: number; Height?: number };
        if ((size.Width ?? 0) > 0 && (size.Height ?? 0) > 0) {
          session.resize(size.Width ?? 80, size.Height ?? 24).catch(() => undefined);
        }
      } catch {
        // a malformed resize is ignored, as upstream logs and carries on
      }
    } else if (channel === Channel.Close && payload[0] === Channel.Stdin) {
      session.stdin?.end();
    }
  });
  ws.on('close', () => session.close());
  void (async () => {
    const code = await finished(session);
    send(Channel.Error, JSON.stringify(exitStatus(code, cmd)));
    ws.close(1000);
  })();
}

/** Handles an exec/attach upgrade on the kubelet server. */
export async function handleStreamUpgrade(runtime: ContainerRuntime, req: IncomingMessage, socket: Duplex, head: Buffer, log: (m: string) => void): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const [kind, ns, pod, container] = parts;
  if ((kind !== 'exec' && kind !== 'attach') || ns === undefined || pod === undefined || container === undefined) {
    reject(socket, 404, 'Not Found', '404 page not found');
    return;
  }
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') {
    reject(socket, 400, 'Bad Request', 'unable to upgrade: missing upgrade headers in request');
    return;
  }
  const q = url.searchParams;
  const cmd = q.getAll('command');
  const tty = q.get('tty') === 'true' || q.get('tty') === '1';
  const stdin = q.get('stdin') === 'true' || q.get('stdin') === '1';
  const stdout = q.get('stdout') !== 'false' && q.get('stdout') !== '0';
  const stderr = !tty && (q.get('stderr') === 'true' || q.get('stderr') === '1');
  if (kind === 'exec' && cmd.length === 0) {
    reject(socket, 400, 'Bad Request', 'you must specify at least 1 command');
    return;
  }
  let start: () => Promise<StreamSession>;
  try {
    const c = await findContainer(runtime, ns, pod, container, false);
    start = kind === 'exec' ? () => runtime.exec(c.id, { cmd, tty, stdin }) : () => runtime.attach(c.id);
  } catch (e) {
    reject(socket, 404, 'Not Found', (e as Error).message);
    return;
  }
  const what = `${kind} ${ns}/${pod}/${container}${cmd.length > 0 ? ` ${JSON.stringify(cmd)}` : ''}`;
  if (upgrade === 'spdy/3.1') {
    const protocol = negotiateExecProtocol(req);
    if (protocol === undefined) {
      reject(socket, 403, 'Forbidden', negotiationError(req));
      return;
    }
    if (head.length > 0) {
      socket.unshift(head);
    }
    log(`${what} (spdy)`);
    // The command starts once the client's streams are there, so no output is lost.
    serveExecSpdy(socket, protocol, { stdin, stdout, stderr, tty }, start, (code) => exitStatus(code, cmd), log);
    return;
  }
  let session: StreamSession;
  try {
    session = await start();
  } catch (e) {
    reject(socket, 404, 'Not Found', (e as Error).message);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    log(what);
    pipeSession(ws, session, cmd, stdout, stderr);
  });
}
