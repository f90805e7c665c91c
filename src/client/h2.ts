/**
 * RestClient's HTTP/2 transport: one TLS session per server, every request a stream on it (as
 * client-go talks to the apiserver). A session that received GOAWAY, failed or closed is replaced
 * by a new one for the next request; streams already open on it finish or fail on their own.
 * Loaded only when a client asks for HTTP/2 (node:http2 stays out of kubectl's start-up).
 */
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders as H2Headers, OutgoingHttpHeaders as H2OutgoingHeaders } from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

const http2 = process.getBuiltinModule('node:http2');
const tls = process.getBuiltinModule('node:tls');

/** What a request needs to reach the server over TLS. */
export interface H2Origin {
  /** `https://host:port` */
  readonly authority: string;
  readonly servername: string | undefined;
  readonly caPem?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
  readonly rejectUnauthorized: boolean;
}

/** A response head and its body stream. */
export interface H2Response {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

/** One request. */
export interface H2Request {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** Fails the request with ETIMEDOUT if no response head arrives and the stream stays quiet this long. */
  readonly timeoutMs: number | undefined;
}

// Headers HTTP/2 forbids (connection-specific ones); Node throws on them.
const connectionHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

// Large lists (thousands of nodes) arrive in one response: windows larger than the 64 KiB default
// save a WINDOW_UPDATE round trip per 64 KiB.
const STREAM_WINDOW = 4 << 20;
const SESSION_WINDOW = 32 << 20;

/**
 * True for failures where the server cannot have acted on the request, so any verb may be sent
 * again: the session was going away or gone before the stream started, or the server refused the
 * stream (REFUSED_STREAM, sent for streams above a GOAWAY's last stream id).
 */
function isUnprocessed(e: NodeJS.ErrnoException): boolean {
  const code = e.code;
  return code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_INVALID_SESSION' || (code === 'ERR_HTTP2_STREAM_ERROR' && /NGHTTP2_REFUSED_STREAM/.test(e.message));
}

/**
 * Other HTTP/2 failures before a response (stream cancelled by a dying session, session error)
 * are lost connections, as ECONNRESET is for HTTP/1.1: retried for idempotent verbs only.
 */
function asConnectionError(e: NodeJS.ErrnoException): NodeJS.ErrnoException {
  return typeof e.code === 'string' && e.code.startsWith('ERR_HTTP2_') ? Object.assign(new Error(e.message, { cause: e }), { code: 'ECONNRESET' }) : e;
}

/** One origin's HTTP/2 sessions: the current one, replaced when it goes away; idle ones closed. */
export class H2Connection {
  private readonly origin: H2Origin;
  private readonly idleMs: number;
  private session: ClientHttp2Session | undefined;
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(origin: H2Origin, idleMs: number) {
    this.origin = origin;
    this.idleMs = idleMs;
  }

  /** The session for the next request: the current one unless it is going away or gone. */
  private current(): ClientHttp2Session {
    const s = this.session;
    if (s !== undefined && !s.closed && !s.destroyed) {
      return s;
    }
    const o = this.origin;
    const tlsOptions = {
      ca: o.caPem,
      cert: o.certPem,
      key: o.keyPem,
      rejectUnauthorized: o.rejectUnauthorized,
      ...(o.servername !== undefined && o.servername !== '' ? { servername: o.servername } : {}),
    };
    const url = new URL(o.authority);
    const session = http2.connect(o.authority, {
      ...tlsOptions,
      // Our own socket, to turn Nagle off: many small frames from many streams would otherwise
      // wait behind the last unacknowledged one (the session's socket cannot be changed later).
      createConnection: () => {
        const socket = tls.connect({ ...tlsOptions, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port === '' ? 443 : url.port), ALPNProtocols: ['h2'] });
        socket.setNoDelay(true);
        return socket;
      },
      settings: { initialWindowSize: STREAM_WINDOW, enablePush: false },
      maxSessionMemory: 64,
    });
    session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW));
    // Errors reach the streams that were open; the session itself is just dropped.
    session.on('error', () => {});
    const forget = (): void => {
      if (this.session === session) {
        this.session = undefined;
        this.active = 0;
        clearTimeout(this.idleTimer);
      }
    };
    // GOAWAY: streams already open finish on this session, new requests start a fresh one.
    session.once('goaway', forget);
    session.once('close', forget);
    this.session = session;
    this.active = 0;
    // Like an idle keep-alive socket, an idle session does not keep the process alive.
    session.unref();
    return session;
  }

  private streamStarted(session: ClientHttp2Session): void {
    if (this.session !== session) {
      return;
    }
    if (this.active++ === 0) {
      clearTimeout(this.idleTimer);
      session.ref();
    }
  }

  private streamEnded(session: ClientHttp2Session): void {
    if (this.session !== session || this.active === 0) {
      return;
    }
    if (--this.active === 0) {
      session.unref();
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => {
        if (this.session === session && this.active === 0) {
          this.session = undefined;
          session.close();
        }
      }, this.idleMs);
      this.idleTimer.unref();
    }
  }

  /**
   * Sends one request as a stream; resolves once the response head arrives (body unread). A
   * failure the server cannot have acted on is rejected with `unprocessed: true` on the error.
   */
  request(req: H2Request): Promise<H2Response> {
    if (this.closed) {
      return Promise.reject(Object.assign(new Error('client closed'), { code: 'ERR_HTTP2_INVALID_SESSION' }));
    }
    const session = this.current();
    const headers: H2OutgoingHeaders = { ':method': req.method, ':path': req.path };
    const given = req.headers;
    for (const k in given) {
      const v = given[k];
      const name = k.toLowerCase();
      if (v !== undefined && !connectionHeaders.has(name)) {
        headers[name] = v;
      }
    }
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = session.request(headers, { endStream: req.body === undefined, signal: req.signal });
      } catch (e) {
        // A session that got GOAWAY or was destroyed between current() and here.
        reject(Object.assign(e as Error, { unprocessed: true }));
        return;
      }
      this.streamStarted(session);
      let answered = false;
      stream.once('close', () => {
        this.streamEnded(session);
        if (!answered) {
          // Closed before any response head: reset by the server (REFUSED_STREAM if it never
          // saw it), the session died, or aborted.
          const refused = stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM;
          reject(Object.assign(new Error(`stream closed before a response (code ${stream.rstCode})`), { code: refused ? 'ERR_HTTP2_STREAM_ERROR' : 'ECONNRESET', unprocessed: refused }));
        }
      });
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (!answered) {
          answered = true;
          reject(isUnprocessed(e) ? Object.assign(e, { unprocessed: true }) : asConnectionError(e));
        }
      });
      if (req.timeoutMs !== undefined) {
        stream.setTimeout(req.timeoutMs, () => {
          stream.destroy(Object.assign(new Error(`request timed out after ${req.timeoutMs}ms`), { code: 'ETIMEDOUT' }));
        });
      }
      stream.once('response', (h: H2Headers) => {
        if (answered) {
          return;
        }
        answered = true;
        const statusCode = Number(h[':status']);
        resolve({ statusCode, headers: h as IncomingHttpHeaders, body: stream });
      });
      if (req.body !== undefined) {
        stream.end(req.body);
      }
    });
  }

  /** Closes the session (open streams are cut off) and refuses further requests. */
  close(): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.session?.destroy();
    this.session = undefined;
  }
}
