/**
 * The apiserver's HTTPS front door: one TLS listener speaking HTTP/2 and HTTP/1.1 (ALPN),
 * asking for client certificates (verified against the client CA, never required), then
 * authenticating each request before the HTTP layer sees it. Upgrades go to a hook.
 */
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, Http2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { StatusError, unauthorized } from '../../api/errors.ts';
import type { Status } from '../../api/errors.ts';
import type { Authenticate } from '../authn/index.ts';
import { isPublicPath } from '../authn/public-paths.ts';
import { tlsSocketOf } from './tls-socket.ts';
import type { AnyRequest, AnyResponse, ApiHandler, UpgradeHandler } from './types.ts';

/** Everything the listener needs. */
export interface SecureServerOptions {
  readonly port: number;
  /** Address to listen on; undefined: all interfaces. */
  readonly host?: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** CA bundle client certificates must chain to. */
  readonly clientCaPem: string;
  readonly authenticate: Authenticate;
  readonly handler: ApiHandler;
  readonly onUpgrade?: UpgradeHandler;
  readonly log?: (msg: string) => void;
}

/** A listening server. */
export interface SecureServer {
  readonly port: number;
  readonly server: Http2SecureServer;
  /** Stops accepting connections; existing ones carry on. */
  stopAccepting(): void;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left. */
  close(graceMs?: number): Promise<void>;
}

function statusBody(err: StatusError): string {
  const s: Status = err.toStatus();
  return JSON.stringify(s);
}

function sendStatus(res: AnyResponse, err: StatusError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = statusBody(err);
  res.statusCode = err.code;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-cache, private');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** Answers an upgrade request with an error Status and closes the socket. */
export function rejectUpgrade(socket: Duplex, err: StatusError): void {
  const body = statusBody(err);
  socket.end(`HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q >= 0 ? u.slice(0, q) : u;
}

function asStatusError(e: unknown): StatusError {
  return e instanceof StatusError ? e : new StatusError(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
}

/** Starts the HTTPS listener; resolves once it is listening (port 0 picks a free port). */
export async function startSecureServer(opts: SecureServerOptions): Promise<SecureServer> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const server = createSecureServer({
    allowHTTP1: true,
    key: opts.keyPem,
    cert: opts.certPem,
    ca: opts.clientCaPem,
    requestCert: true,
    rejectUnauthorized: false,
    // One kubectl or informer process multiplexes all its watches over a single h2 connection:
    // allow many streams (Go's server allows 250 by default) and more buffered memory per session.
    settings: { maxConcurrentStreams: 1000 },
    maxSessionMemory: 64,
  });
  // HTTP/1.1 keep-alive (allowHTTP1 connections read it from the server; not in the http2 option
  // types): Node's default closes a connection after 5 s idle, and a client that writes a request
  // into it as it closes gets ECONNRESET, which a POST cannot retry. Go's clients keep idle
  // connections for 90 s; our RestClient closes its own after 60 s, before the server does.
  (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 90_000;

  const sessions = new Set<Http2Session>();
  const sockets = new Set<TLSSocket>();
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('secureConnection', (s: TLSSocket) => {
    // No Nagle (Node's http server does the same for HTTP/1.1; http2 does not): an HTTP/2
    // session multiplexes many small answers and watch events, each of which would otherwise
    // wait for the client's delayed ACK of the previous one.
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {
    // A client that aborts the handshake (or a port probe) is not the server's problem.
  });
  server.on('sessionError', (err: NodeJS.ErrnoException) => {
    // Clients hanging up mid-session (kubectl does on exit) are routine.
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') {
      log(`apiserver: http2 session error: ${err.message}`);
    }
  });

  const onRequest = async (req: AnyRequest, res: AnyResponse): Promise<void> => {
    let user;
    try {
      user = await opts.authenticate({ socket: tlsSocketOf(req), headers: req.headers });
    } catch (e) {
      sendStatus(res, asStatusError(e));
      return;
    }
    if (user === undefined && !isPublicPath(pathOf(req.url))) {
      sendStatus(res, unauthorized());
      return;
    }
    try {
      await opts.handler(req, res, user);
    } catch (e) {
      log(`apiserver: handler failed for ${req.method ?? ''} ${req.url ?? ''}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      sendStatus(res, asStatusError(e));
    }
  };
  server.on('request', (req: AnyRequest, res: AnyResponse) => {
    void onRequest(req, res);
  });

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => socket.destroy());
    let user;
    try {
      user = await opts.authenticate({ socket: req.socket as TLSSocket, headers: req.headers });
    } catch (e) {
      rejectUpgrade(socket, asStatusError(e));
      return;
    }
    if (user === undefined) {
      rejectUpgrade(socket, unauthorized());
      return;
    }
    if (opts.onUpgrade === undefined) {
      rejectUpgrade(socket, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    try {
      await opts.onUpgrade(req, socket, head, user);
    } catch (e) {
      log(`apiserver: upgrade failed for ${req.url ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
      socket.destroy();
    }
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void onUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  const stopAccepting = (): void => {
    if (server.listening) {
      server.close();
    }
  };
  const close = (graceMs = 2000): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      stopAccepting();
      // GOAWAY tells h2 clients to go elsewhere once their streams end; idle h1 sockets can go now.
      for (const s of sessions) {
        s.close();
      }
      for (const s of sockets) {
        if (!isBusy(s)) {
          s.destroy();
        }
      }
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        for (const s of sessions) {
          s.destroy();
        }
        for (const s of sockets) {
          s.destroy();
        }
        done();
      }, graceMs);
      const poll = (): void => {
        if (sessions.size === 0 && sockets.size === 0) {
          done();
        } else {
          setTimeout(poll, 20).unref();
        }
      };
      poll();
    });
    return closed;
  };
  return { port, server, stopAccepting, close };
}

/** An HTTP/1.1 socket is busy while a response is being written on it. */
function isBusy(s: Socket): boolean {
  const parser = (s as unknown as { _httpMessage?: { finished?: boolean } })._httpMessage;
  return parser !== undefined && parser !== null && parser.finished !== true;
}
