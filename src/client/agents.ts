/**
 * The keep-alive agents behind RestClient. Pooled sockets are closed by the client after they
 * have been idle for a while, before the server's own idle limit closes them.
 *
 * Why: a request written into a pooled socket that the server is closing at that moment fails
 * with ECONNRESET, and a POST cannot be retried safely (the server may have acted). Node's agent
 * honours the server's `Keep-Alive: timeout=N` hint only when it has a `timeout` option, and that
 * option also applies to sockets in use, where it would cut off quiet watches. So these agents set
 * the idle timeout themselves when a socket goes back to the pool and clear it when it is reused.
 */
import type { Agent as HttpAgent, AgentOptions as HttpAgentOptions, ClientRequest, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgentType, AgentOptions as HttpsAgentOptions, RequestOptions as HttpsRequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

// Not `import ... from 'node:http'`: building that module's ESM facade reads every export,
// and its lazy WebSocket/EventSource getters then load undici (~0.1 s of CPU per CLI start);
// node:https likewise, for start-up time.
const { Agent: HttpAgentClass } = process.getBuiltinModule('node:http');
const { Agent: HttpsAgent } = process.getBuiltinModule('node:https');

/** How long a pooled socket may stay idle when the server sends no hint (below the apiserver's 90 s). */
export const DEFAULT_IDLE_SOCKET_MS = 60_000;

// The server's announced idle limit per socket, noted from its last response.
const serverIdleMs = new WeakMap<object, number>();

/**
 * Notes the server's `Keep-Alive: timeout=N` hint for the response's socket, so the agent closes
 * the socket a second before the server would (as Node does when it honours the hint).
 */
export function noteKeepAliveHint(res: IncomingMessage): void {
  const hint = res.headers['keep-alive'];
  if (typeof hint !== 'string') {
    return;
  }
  const seconds = /(?:^|[\s,])timeout=(\d+)/.exec(hint)?.[1];
  if (seconds !== undefined) {
    serverIdleMs.set(res.socket, Math.max(0, Number(seconds) * 1000 - 1000));
  }
}

function idleLimit(socket: Duplex, ownMs: number): number {
  const server = serverIdleMs.get(socket);
  return server === undefined ? ownMs : Math.min(ownMs, server);
}

/**
 * Makes the agent close pooled sockets after `idleMs` idle (or a second before the server's hint)
 * and clear that timeout when a socket is reused: the request sets its own, if any (watches have none).
 */
function expireIdleSockets<A extends HttpAgent>(agent: A, idleMs: number): A {
  // Node's own steps return whether to pool the socket (its typings say void).
  const keep = agent.keepSocketAlive.bind(agent) as (socket: Duplex) => unknown;
  const reuse = agent.reuseSocket.bind(agent);
  agent.keepSocketAlive = (socket: Duplex): boolean => {
    if (keep(socket) === false) {
      return false;
    }
    const ms = idleLimit(socket, idleMs);
    if (ms <= 0) {
      return false; // the server closes at once: do not pool
    }
    // An idle pooled socket that times out is destroyed by the agent's own 'timeout' listener.
    (socket as Socket).setTimeout(ms);
    return true;
  };
  agent.reuseSocket = (socket: Duplex, req: ClientRequest): void => {
    (socket as Socket).setTimeout(0);
    reuse(socket, req);
  };
  return agent;
}

/**
 * An https.Agent whose pool key is worked out once per origin. Node's Agent.getName appends the
 * CA, client certificate and key PEMs to the key on every request and again when the socket is
 * freed: several KB of string building and hashing per call, for TLS options that never change
 * in a RestClient (they are the agent's own).
 */
class FixedTlsHttpsAgent extends HttpsAgent {
  // A RestClient talks to one origin: remember the last key and what it was computed from.
  #last: { host: unknown; port: unknown; localAddress: unknown; family: unknown; servername: unknown; name: string } | undefined;

  override getName(options?: HttpsRequestOptions): string {
    const o = options ?? {};
    const l = this.#last;
    if (l !== undefined && l.host === o.host && l.port === o.port && l.localAddress === o.localAddress && l.family === o.family && l.servername === o.servername) {
      return l.name;
    }
    const name = super.getName(options);
    this.#last = { host: o.host, port: o.port, localAddress: o.localAddress, family: o.family, servername: o.servername, name };
    return name;
  }
}

/** A keep-alive agent for plain HTTP whose idle sockets close after `idleMs` (or the server's hint). */
export function httpAgent(opts: HttpAgentOptions, idleMs = DEFAULT_IDLE_SOCKET_MS): HttpAgent {
  return expireIdleSockets(new HttpAgentClass({ ...opts, keepAlive: true }), idleMs);
}

/** A keep-alive agent for HTTPS whose idle sockets close after `idleMs` (or the server's hint). */
export function httpsAgent(opts: HttpsAgentOptions, idleMs = DEFAULT_IDLE_SOCKET_MS): HttpsAgentType {
  return expireIdleSockets(new FixedTlsHttpsAgent({ ...opts, keepAlive: true }), idleMs);
}
