/** Test helper: a scripted plain-HTTP server standing in for the apiserver in unit tests. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestClient } from './rest.ts';
import type { RestClientOptions } from './rest.ts';
import { silentLogger } from './log.ts';

/** A request the fake server saw. */
export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A local HTTP server with a swappable handler, and a RestClient pointed at it. */
export interface FakeServer {
  readonly seen: SeenRequest[];
  readonly client: RestClient;
  handler: (req: SeenRequest, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** Starts a fake server on a free port; the client uses http (so no token is sent) unless overridden. */
export async function startFakeServer(clientOpts: Partial<RestClientOptions> = {}): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  const open = new Set<ServerResponse>();
  const fake = {
    seen,
    handler: (_req: SeenRequest, res: ServerResponse): void => {
      res.writeHead(404).end();
    },
  } as FakeServer;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: SeenRequest = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(r);
      open.add(res);
      res.on('close', () => open.delete(res));
      fake.handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const client = new RestClient({ connection: { server: `http://127.0.0.1:${port}`, insecureSkipTlsVerify: false, namespace: 'default' }, logger: silentLogger, retryBaseMs: 5, ...clientOpts });
  Object.assign(fake, {
    client,
    close: async () => {
      client.close();
      for (const r of open) {
        r.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return fake;
}

/** Writes a JSON body with the given status. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
