/**
 * Test-only harness: serves createApiHandler over a real HTTP/1.1 (or h2c) server on port 0.
 * Requests with header `x-test-anonymous` are anonymous; others are user `alice`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { UserInfo } from '../registry/types.ts';
import { createApiHandler, type ApiHandlerOptions } from './index.ts';

/** The user every non-anonymous test request runs as. */
export const testUser: UserInfo = { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'] };

/** A running test server. */
export interface TestServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the handler on 127.0.0.1:0 (HTTP/1.1, or cleartext HTTP/2 when `h2`). */
export async function startTestServer(opts: ApiHandlerOptions, h2 = false): Promise<TestServer> {
  const handler = createApiHandler(opts);
  const route = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    handler(req, res, req.headers['x-test-anonymous'] === undefined ? testUser : undefined);
  };
  const server = h2 ? createH2Server(route) : createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      if ('closeAllConnections' in server) {
        server.closeAllConnections();
      }
      server.close(() => resolve());
    }),
  };
}
