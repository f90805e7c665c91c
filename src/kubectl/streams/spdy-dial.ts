/**
 * Dialing a SPDY/3.1 streaming connection to the API server the way kubectl 1.35 does for
 * port-forward: first SPDY tunnelled in WebSocket binary messages (subprotocol
 * `SPDY/3.1+<protocol>`, upstream's PortForwardWebsockets), and when the server refuses that
 * upgrade, a plain `Upgrade: SPDY/3.1` POST (client-go's fallback dialer). Either way the
 * result is a byte stream carrying SPDY frames, ready for a client-role SpdySession.
 *
 * The tunnel's WebSocket client is done by hand on top of ws's frame Sender/Receiver: the `ws`
 * client rejects subprotocols containing '/', and `SPDY/3.1+portforward.k8s.io` has one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import * as wsModule from 'ws';
import type { ClientConnection } from '../../kubeconfig/index.ts';
import { errorFromResponse } from '../../client/status.ts';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A refused upgrade (any non-101 answer); the fallback dialer retries on these. */
export class UpgradeFailureError extends Error {
  readonly statusCode: number;
  readonly body: string;
  constructor(statusCode: number, body: string) {
    super(`unable to upgrade connection: ${body.trim()}`);
    this.name = 'UpgradeFailureError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

interface Upgraded {
  readonly res: IncomingMessage;
  readonly socket: Socket;
  readonly head: Buffer;
}

/** Sends one upgrade request with the connection's credentials; resolves on 101, rejects with UpgradeFailureError otherwise. */
function upgrade(conn: ClientConnection, method: string, path: string, headers: Record<string, string>): Promise<Upgraded> {
  const base = new URL(conn.server);
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}${path}`, base);
  const https = url.protocol === 'https:';
  const all: Record<string, string> = { ...headers, Connection: 'Upgrade' };
  if (https && conn.token !== undefined && conn.token !== '') {
    all.Authorization = `Bearer ${conn.token}`;
  }
  const options = { method, headers: all, agent: false as const };
  const req: ClientRequest = https
    ? httpsRequest(url, { ...options, ca: conn.caPem, cert: conn.certPem, key: conn.keyPem, rejectUnauthorized: !conn.insecureSkipTlsVerify })
    : httpRequest(url, options);
  return new Promise((resolve, reject) => {
    req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => resolve({ res, socket, head }));
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new UpgradeFailureError(res.statusCode ?? 500, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

// ws's frame codec: exported by its ESM entry, but not in its type declarations.
interface FrameSender {
  send(data: Buffer, options: { binary: boolean; fin: boolean; mask: boolean; compress: boolean }, cb?: (err?: Error) => void): void;
  pong(data: Buffer, mask: boolean, cb?: (err?: Error) => void): void;
  close(code: number, data: string, mask: boolean, cb?: (err?: Error) => void): void;
}
interface FrameReceiver extends NodeJS.WritableStream {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}
const codec = wsModule as unknown as {
  Sender: new (socket: Socket, extensions: Record<string, never>) => FrameSender;
  Receiver: new (options: { isServer: boolean; binaryType: 'nodebuffer' }) => FrameReceiver;
};

/** Opens the WebSocket tunnel: each binary message is a run of SPDY bytes, in order. */
async function dialTunnel(conn: ClientConnection, path: string, subprotocol: string): Promise<Duplex> {
  const key = randomBytes(16).toString('base64');
  const { res, socket, head } = await upgrade(conn, 'GET', path, {
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Protocol': subprotocol,
  });
  const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  if ((res.headers.upgrade ?? '').toLowerCase() !== 'websocket' || res.headers['sec-websocket-accept'] !== accept) {
    socket.destroy();
    throw new UpgradeFailureError(res.statusCode ?? 101, 'invalid WebSocket handshake');
  }
  if (res.headers['sec-websocket-protocol'] !== subprotocol) {
    socket.destroy();
    throw new UpgradeFailureError(res.statusCode ?? 101, `server chose subprotocol ${JSON.stringify(res.headers['sec-websocket-protocol'] ?? '')}, want ${subprotocol}`);
  }
  socket.setNoDelay(true);
  const sender = new codec.Sender(socket, {});
  const receiver = new codec.Receiver({ isServer: false, binaryType: 'nodebuffer' });
  let closing = false;
  const tunnel = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      sender.send(chunk, { binary: true, fin: true, mask: true, compress: false }, cb);
    },
    final(cb) {
      closing = true;
      sender.close(1000, '', true, () => cb());
    },
    read() {
      socket.resume();
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  receiver.on('message', (data) => {
    if (!tunnel.push(data)) {
      socket.pause();
    }
  });
  receiver.on('ping', (data) => sender.pong(data, true));
  receiver.on('conclude', () => {
    if (!closing) {
      closing = true;
      sender.close(1000, '', true);
    }
    tunnel.push(null);
    socket.end();
  });
  receiver.on('error', (e) => tunnel.destroy(e));
  socket.on('data', (d: Buffer) => receiver.write(d));
  socket.on('end', () => tunnel.push(null));
  socket.on('close', () => tunnel.destroy());
  socket.on('error', (e) => tunnel.destroy(e));
  if (head.length > 0) {
    receiver.write(head);
  }
  return tunnel;
}

/** The plain SPDY/3.1 upgrade (the fallback): the socket itself carries the frames. */
async function dialSpdyUpgrade(conn: ClientConnection, path: string, protocol: string): Promise<Duplex> {
  const { socket, head } = await upgrade(conn, 'POST', path, { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocol });
  socket.setNoDelay(true);
  if (head.length > 0) {
    socket.unshift(head);
  }
  return socket;
}

/**
 * Dials `path` for the SPDY stream protocol `protocol` (e.g. `portforward.k8s.io`): the
 * WebSocket tunnel first, the plain SPDY upgrade when that upgrade is refused. A refused
 * fallback becomes the Status error the server sent (client-go's "unable to upgrade connection").
 */
export async function dialSpdy(conn: ClientConnection, path: string, protocol: string): Promise<Duplex> {
  try {
    return await dialTunnel(conn, path, `SPDY/3.1+${protocol}`);
  } catch (e) {
    if (!(e instanceof UpgradeFailureError)) {
      throw e;
    }
  }
  try {
    return await dialSpdyUpgrade(conn, path, protocol);
  } catch (e) {
    if (e instanceof UpgradeFailureError) {
      const status = errorFromResponse(e.statusCode, e.body);
      throw new Error(`unable to upgrade connection: ${status.message}`, { cause: e });
    }
    throw e;
  }
}
