/**
 * `/portForward/<namespace>/<pod>[/<uid>]` as kubectl 1.35 speaks it: SPDY/3.1 tunnelled in
 * WebSocket binary messages (subprotocol `SPDY/3.1+portforward.k8s.io`), or plain SPDY/3.1 after
 * `Upgrade: SPDY/3.1` with `X-Stream-Protocol-Version: portforward.k8s.io` (the fallback). Per
 * local connection the client opens an `error` and a `data` stream carrying the same `port` and
 * `requestid` headers; once both are there we connect to 127.0.0.1:<port> inside the pod's
 * network namespace and relay, as upstream's kubelet (httpstream.go) does.
 *
 * Entering the netns: Node cannot setns(2), so each connection runs
 * `nsenter --net=<netns> busybox nc 127.0.0.1 <port>` with its stdio as the byte pipe. busybox
 * (static, already a dependency for test images) execs in about a millisecond, half-closes on
 * stdin EOF (so request/response protocols work) and prints a clear error on refusal; a helper
 * process per connection is what upstream's dockershim did with socat. hostNetwork pods are
 * dialled directly.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { ContainerRuntime, PodSandbox } from '../runtime/types.ts';
import { SandboxState } from '../runtime/types.ts';
import { RstStatus, SpdySession } from '../../spdy/session.ts';
import type { SpdyStream } from '../../spdy/session.ts';

/** The WebSocket subprotocol kubectl offers for tunnelled port-forward. */
export const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** The SPDY stream protocol of port-forward. */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
// `ws` rejects TUNNEL_PROTOCOL ('/' is not a token character), so the request is handed to it
// under this stand-in and the answer's header is put back before it is written.
const STAND_IN = 'k8ts-spdy-tunnel';
const PAIR_TIMEOUT_MS = 30_000;

const tunnelServer = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (p) => (p.has(STAND_IN) ? STAND_IN : false) });
tunnelServer.on('headers', (headers: string[]) => {
  const i = headers.indexOf(`Sec-WebSocket-Protocol: ${STAND_IN}`);
  if (i >= 0) {
    headers[i] = `Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`;
  }
});

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** How to reach a port inside a pod. */
type Dialer = (port: number) => Duplex & { readonly stderrText?: () => string; readonly exitCode?: Promise<number> };

function netnsDialer(sandbox: PodSandbox): Dialer {
  return (port) => {
    if (sandbox.netnsPath === undefined) {
      return connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    }
    const child = spawn('nsenter', [`--net=${sandbox.netnsPath}`, 'busybox', 'nc', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exitCode = new Promise<number>((resolve) => {
      child.on('close', (code) => resolve(code ?? 1));
      child.on('error', () => resolve(127));
    });
    // A Duplex view over the helper's stdin/stdout.
    const duplex = new Duplex({
      allowHalfOpen: true,
      write(chunk: Buffer, _enc, cb) {
        child.stdin.write(chunk, cb);
      },
      final(cb) {
        child.stdin.end(cb);
      },
      read() {
        child.stdout.resume();
      },
      destroy(err, cb) {
        child.kill('SIGKILL');
        cb(err);
      },
    }) as Duplex & { stderrText?: () => string; exitCode?: Promise<number> };
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: Buffer) => {
      if (!duplex.push(d)) {
        child.stdout.pause();
      }
    });
    child.stdout.on('end', () => duplex.push(null));
    duplex.stderrText = () => stderr.trim();
    duplex.exitCode = exitCode;
    return duplex;
  };
}

/** Relays one error/data stream pair to `port` inside the pod. */
function forward(pair: { error: SpdyStream; data: SpdyStream }, dial: Dialer, podLabel: string, log: (m: string) => void): void {
  const portText = pair.data.headers.get('port') ?? '';
  const port = Number(portText);
  const fail = (message: string): void => {
    pair.error.write(Buffer.from(message));
    pair.error.end();
    pair.data.end();
  };
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    fail(`invalid port: "${portText}"`);
    return;
  }
  const conn = dial(port);
  let failed = false;
  conn.on('error', (e: Error) => {
    failed = true;
    fail(`error forwarding port ${port} to pod ${podLabel}, uid : failed to connect to localhost:${port} inside the pod's network namespace: ${e.message}`);
  });
  pair.data.onData = (chunk) => {
    conn.write(chunk);
  };
  pair.data.onEnd = () => conn.end();
  const abort = (): void => {
    conn.destroy();
  };
  pair.data.onClose = abort;
  pair.error.onClose = abort;
  conn.on('data', (d: Buffer) => pair.data.write(d));
  conn.on('end', () => {
    void (async () => {
      const code = conn.exitCode !== undefined ? await conn.exitCode : 0;
      if (code !== 0 && !failed) {
        const why = conn.stderrText?.() ?? '';
        pair.error.write(Buffer.from(`error forwarding port ${port} to pod ${podLabel}, uid : failed to connect to localhost:${port} inside the pod's network namespace: ${why.replace(/^nc: /, '')}`));
        log(`port-forward ${podLabel}:${port}: ${why}`);
      }
      pair.data.end();
      pair.error.end();
    })();
  });
}

async function findSandbox(runtime: ContainerRuntime, namespace: string, pod: string, uid: string | undefined): Promise<PodSandbox | undefined> {
  return (await runtime.listPodSandboxes())
    .filter((s) => s.metadata.namespace === namespace && s.metadata.name === pod && s.state === SandboxState.Ready && (uid === undefined || s.metadata.uid === uid))
    .sort((a, b) => b.createdAt - a.createdAt)[0];
}

function rejectWith(socket: Duplex, code: number, reason: string, message: string): void {
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
}

/** Serves the port-forward streams of one SPDY session. */
function serveSession(transport: Duplex, dial: Dialer, podLabel: string, log: (m: string) => void): void {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession(transport, (stream) => {
    const type = stream.headers.get('streamtype');
    const requestId = stream.headers.get('requestid') ?? '';
    if (type !== 'error' && type !== 'data') {
      stream.reset(RstStatus.ProtocolError);
      return;
    }
    let pair = pairs.get(requestId);
    if (pair === undefined) {
      const created: Pair = {
        timer: setTimeout(() => {
          // Upstream gives up on a half-made pair after the stream creation timeout.
          pairs.delete(requestId);
          created.error?.reset();
          created.data?.reset();
        }, PAIR_TIMEOUT_MS),
      };
      created.timer.unref();
      pair = created;
      pairs.set(requestId, pair);
    }
    if (pair[type] !== undefined) {
      stream.reset(RstStatus.ProtocolError);
      return;
    }
    pair[type] = stream;
    if (pair.error !== undefined && pair.data !== undefined) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      forward({ error: pair.error, data: pair.data }, dial, podLabel, log);
    }
  });
  session.onClose = () => {
    for (const p of pairs.values()) {
      clearTimeout(p.timer);
    }
    pairs.clear();
  };
}

/** Whether this upgrade is a port-forward request. */
export function isPortForward(req: IncomingMessage): boolean {
  return new URL(req.url ?? '/', 'https://kubelet').pathname.startsWith('/portForward/');
}

/** Handles a `/portForward/...` upgrade (WebSocket tunnel or SPDY/3.1) on the kubelet server. */
export async function handlePortForward(runtime: ContainerRuntime, req: IncomingMessage, socket: Duplex, head: Buffer, log: (m: string) => void): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  const [, namespace, pod, uid] = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (namespace === undefined || pod === undefined) {
    rejectWith(socket, 404, 'Not Found', '404 page not found');
    return;
  }
  const sandbox = await findSandbox(runtime, namespace, pod, uid);
  if (sandbox === undefined) {
    rejectWith(socket, 404, 'Not Found', `pod not found ("${pod}_${namespace}")`);
    return;
  }
  const dial = netnsDialer(sandbox);
  const label = sandbox.id;
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(TUNNEL_PROTOCOL)) {
      rejectWith(socket, 400, 'Bad Request', `unable to upgrade: no supported subprotocol in ${JSON.stringify(offered)} (want ${TUNNEL_PROTOCOL})`);
      return;
    }
    req.headers['sec-websocket-protocol'] = STAND_IN;
    tunnelServer.handleUpgrade(req, socket, head, (ws) => {
      log(`port-forward ${namespace}/${pod} (websocket)`);
      serveSession(createWebSocketStream(ws, { allowHalfOpen: false }), dial, label, log);
    });
    return;
  }
  if (upgrade !== 'spdy/3.1') {
    rejectWith(socket, 400, 'Bad Request', 'unable to upgrade: missing upgrade headers in request');
    return;
  }
  const versions = req.headersDistinct['x-stream-protocol-version'] ?? [];
  if (versions.length > 0 && !versions.flatMap((v) => v.split(',')).map((v) => v.trim()).includes(PORT_FORWARD_PROTOCOL)) {
    rejectWith(socket, 403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(versions)}, server supports [${PORT_FORWARD_PROTOCOL}]`);
    return;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
  if (head.length > 0) {
    socket.unshift(head);
  }
  log(`port-forward ${namespace}/${pod} (spdy)`);
  serveSession(socket, dial, label, log);
}
