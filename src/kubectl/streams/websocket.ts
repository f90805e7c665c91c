/**
 * Opening an upgraded WebSocket to the API server with the kubeconfig's credentials (client
 * certificate, bearer token over TLS, CA), the way client-go's websocket transport does for
 * exec/attach/port-forward. A non-101 answer becomes the StatusError its body carries.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ClientConnection } from '../../kubeconfig/index.ts';
import { errorFromResponse } from '../../client/status.ts';
import { queryString } from '../../client/paths.ts';
import type { QueryParams } from '../../client/paths.ts';

/** The ws:// or wss:// URL for an API path on the connection's server (keeping any path prefix). */
export function websocketUrl(conn: ClientConnection, path: string, query?: QueryParams): string {
  const base = new URL(conn.server);
  const prefix = base.pathname.replace(/\/+$/, '');
  const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${base.host}${prefix}${path}${queryString(query)}`;
}

/** Connects and resolves once the server switched protocols; rejects with the server's error otherwise. */
export function openWebSocket(conn: ClientConnection, path: string, query: QueryParams | undefined, protocols: readonly string[]): Promise<WebSocket> {
  const url = websocketUrl(conn, path, query);
  const headers: Record<string, string> = {};
  if (url.startsWith('wss:') && conn.token !== undefined && conn.token !== '') {
    headers.authorization = `Bearer ${conn.token}`;
  }
  const ws = new WebSocket(url, [...protocols], {
    headers,
    ca: conn.caPem,
    cert: conn.certPem,
    key: conn.keyPem,
    rejectUnauthorized: !conn.insecureSkipTlsVerify,
    perMessageDeflate: false,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.removeAllListeners('error');
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(errorFromResponse(res.statusCode ?? 500, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    ws.once('error', reject);
  });
}
