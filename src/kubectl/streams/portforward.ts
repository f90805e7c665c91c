/**
 * The client side of port-forward as client-go's tools/portforward runs it: parse the port and
 * address specs, dial one SPDY connection to the pod's `portforward` subresource, listen locally
 * (printing `Forwarding from 127.0.0.1:8080 -> 80`), and per accepted connection open an
 * `error` and a `data` stream (`Handling connection for 8080`) and relay bytes until either
 * side ends. A message on an error stream, or the SPDY connection ending, ends the whole forward
 * with "lost connection to pod", as upstream.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { isIP } from 'node:net';
import type { Writable } from 'node:stream';
import type { ClientConnection } from '../../kubeconfig/index.ts';
import { SpdySession } from '../../spdy/session.ts';
import type { SpdyStream } from '../../spdy/session.ts';
import { dialSpdy } from './spdy-dial.ts';

/** The SPDY stream protocol of port-forward. */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

/** A LOCAL:REMOTE pairing (local 0 = pick a free port). */
export interface ForwardedPort {
  local: number;
  readonly remote: number;
}

/** One address to listen on; `all`-mode failures (localhost's two) only count when every one fails. */
export interface ListenAddress {
  readonly address: string;
  readonly family: 4 | 6;
  readonly failureMode: 'all' | 'any';
}

/** Go's strconv.ParseUint(s, 10, 16) with its error text. */
function parsePort(s: string): number {
  if (!/^\d+$/.test(s)) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  }
  const n = Number(s);
  if (n > 65535) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  }
  return n;
}

/** `5000`, `8888:5000`, `:5000`, `0:5000` → pairs (upstream's parsePorts, same errors). */
export function parsePorts(specs: readonly string[]): ForwardedPort[] {
  return specs.map((spec) => {
    const parts = spec.split(':');
    if (parts.length > 2) {
      throw new Error(`invalid port format '${spec}'`);
    }
    const localText = parts.length === 1 ? parts[0] : parts[0] === '' ? '0' : parts[0];
    const remoteText = parts.length === 1 ? parts[0] : parts[1];
    let local: number;
    try {
      local = parsePort(localText);
    } catch (e) {
      throw new Error(`error parsing local port '${localText}': ${(e as Error).message}`, { cause: e });
    }
    let remote: number;
    try {
      remote = parsePort(remoteText);
    } catch (e) {
      throw new Error(`error parsing remote port '${remoteText}': ${(e as Error).message}`, { cause: e });
    }
    if (remote === 0) {
      throw new Error('remote port must be > 0');
    }
    return { local, remote };
  });
}

/** `localhost` → 127.0.0.1 and ::1; IPs as given; de-duplicated and sorted like upstream. */
export function parseAddresses(addresses: readonly string[]): ListenAddress[] {
  const parsed = new Map<string, ListenAddress>();
  for (const address of addresses) {
    if (address === 'localhost') {
      if (!parsed.has('127.0.0.1')) {
        parsed.set('127.0.0.1', { address: '127.0.0.1', family: 4, failureMode: 'all' });
      }
      if (!parsed.has('::1')) {
        parsed.set('::1', { address: '::1', family: 6, failureMode: 'all' });
      }
    } else if (isIP(address) === 4) {
      parsed.set(address, { address, family: 4, failureMode: 'any' });
    } else if (isIP(address) === 6) {
      parsed.set(address, { address, family: 6, failureMode: 'any' });
    } else {
      throw new Error(`${address} is not a valid IP`);
    }
  }
  return [...parsed.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** Go's net.JoinHostPort. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's wording for the listen errors people hit. */
function listenError(e: NodeJS.ErrnoException, family: 4 | 6, address: string, port: number): string {
  const why: Readonly<Record<string, string>> = {
    EADDRINUSE: 'bind: address already in use',
    EADDRNOTAVAIL: 'bind: cannot assign requested address',
    EACCES: 'bind: permission denied',
  };
  return `unable to create listener: Error listen tcp${family} ${joinHostPort(address, port)}: ${why[e.code ?? ''] ?? e.message}`;
}

function listen(address: ListenAddress, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true });
    server.once('error', reject);
    server.listen({ host: address.address, port, ipv6Only: address.family === 6, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** klog's header for an error line (`E1125 23:59:00.123456    1234 file:line] `). */
function klogError(file: string, message: string): string {
  const d = new Date();
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const us = p(d.getMilliseconds() * 1000, 6);
  return `E${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${us} ${String(process.pid).padStart(7)} ${file}] ${message}\n`;
}

/** What one forward needs. */
export interface PortForwardOptions {
  readonly connection: ClientConnection;
  /** `/api/v1/namespaces/<ns>/pods/<name>/portforward`. */
  readonly path: string;
  readonly addresses: readonly ListenAddress[];
  readonly ports: ForwardedPort[];
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Ends the forward cleanly (SIGINT in the verb). */
  readonly stop: Promise<void>;
}

/** Reads a whole stream (the error stream) until the peer ends it or it goes away. */
function readAll(stream: SpdyStream): Promise<string> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    stream.onData = (c) => chunks.push(c);
    stream.onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    stream.onClose = () => resolve(Buffer.concat(chunks).toString('utf8'));
  });
}

/** Relays one accepted local connection through a fresh error/data stream pair. */
async function handleConnection(session: SpdySession, conn: Socket, port: ForwardedPort, requestId: number, o: PortForwardOptions): Promise<void> {
  o.stdout.write(`Handling connection for ${port.local}\n`);
  const headers = { streamtype: 'error', port: String(port.remote), requestid: String(requestId) };
  let errorStream: SpdyStream;
  let dataStream: SpdyStream;
  try {
    errorStream = await session.openStream(headers);
    // We never write to the error stream.
    errorStream.end();
  } catch (e) {
    o.stderr.write(klogError('portforward.go:0', `"Error creating error stream" err="${(e as Error).message}" localPort=${port.local} remotePort=${port.remote}`));
    conn.destroy();
    return;
  }
  const errorText = readAll(errorStream);
  try {
    dataStream = await session.openStream({ ...headers, streamtype: 'data' });
  } catch (e) {
    o.stderr.write(klogError('portforward.go:0', `"Error creating forwarding stream" err="${(e as Error).message}" localPort=${port.local} remotePort=${port.remote}`));
    conn.destroy();
    return;
  }
  await new Promise<void>((resolve) => {
    dataStream.onData = (chunk) => {
      if (!conn.destroyed) {
        conn.write(chunk);
      }
    };
    dataStream.onEnd = () => {
      conn.end();
      resolve();
    };
    dataStream.onClose = () => resolve();
    conn.on('data', (chunk: Buffer) => dataStream.write(chunk));
    conn.on('end', () => dataStream.end());
    conn.on('error', () => resolve());
    conn.on('close', () => resolve());
  });
  // Discard whatever is still in flight, then see whether the kubelet reported a failure.
  dataStream.reset();
  const message = await errorText;
  conn.end();
  if (message !== '') {
    o.stderr.write(klogError('portforward.go:0', `"Unhandled Error" err="an error occurred forwarding ${port.local} -> ${port.remote}: ${message}"`));
    session.close();
  }
}

/**
 * Dials, listens and relays until `stop` resolves (resolves) or the connection to the pod is
 * lost (rejects with "lost connection to pod"). Listener failures are reported per port on
 * stderr as upstream; if no port could be listened on, it rejects.
 */
export async function forwardPorts(o: PortForwardOptions): Promise<void> {
  let transport;
  try {
    transport = await dialSpdy(o.connection, o.path, PORT_FORWARD_PROTOCOL);
  } catch (e) {
    throw new Error(`error upgrading connection: ${(e as Error).message}`, { cause: e });
  }
  const session = new SpdySession(transport, () => undefined, 'client');
  const lostConnection = new Promise<void>((resolve) => {
    session.onClose = resolve;
  });
  const servers: Server[] = [];
  let requestId = 0;
  try {
    let anyListening = false;
    for (const port of o.ports) {
      const errors: string[] = [];
      const ok = { all: 0, any: 0 };
      const failed = { all: 0, any: 0 };
      for (const address of o.addresses) {
        try {
          const server = await listen(address, port.local);
          const bound = server.address();
          port.local = typeof bound === 'object' && bound !== null ? bound.port : port.local;
          o.stdout.write(`Forwarding from ${joinHostPort(address.address, port.local)} -> ${port.remote}\n`);
          servers.push(server);
          const forPort = port;
          server.on('connection', (conn: Socket) => {
            void handleConnection(session, conn, forPort, requestId++, o);
          });
          ok[address.failureMode]++;
        } catch (e) {
          errors.push(listenError(e as NodeJS.ErrnoException, address.family, address.address, port.local));
          failed[address.failureMode]++;
        }
      }
      if ((ok.all === 0 && failed.all > 0) || failed.any > 0) {
        o.stderr.write(`Unable to listen on port ${port.local}: Listeners failed to create with the following errors: [${errors.join(' ')}]\n`);
      } else {
        anyListening = true;
      }
    }
    if (!anyListening) {
      throw new Error(`unable to listen on any of the requested ports: [${o.ports.map((p) => `{${p.local} ${p.remote}}`).join(' ')}]`);
    }
    const outcome = await Promise.race([o.stop.then(() => 'stopped' as const), lostConnection.then(() => 'lost' as const)]);
    if (outcome === 'lost') {
      throw new Error('lost connection to pod');
    }
  } finally {
    for (const s of servers) {
      s.close();
    }
    session.close();
  }
}
