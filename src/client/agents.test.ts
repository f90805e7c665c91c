import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { Agent, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'node:test';
import { httpAgent, noteKeepAliveHint } from './agents.ts';

interface Harness {
  readonly port: number;
  /** Resolves when the client half-closes a connection (the client, not the server, ended it). */
  readonly clientEnded: Promise<void>;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

async function startServer(keepAliveTimeout: number): Promise<Harness> {
  let ended: () => void = () => {};
  const h = {
    clientEnded: new Promise<void>((resolve) => (ended = resolve)),
    handler: (_req: IncomingMessage, res: ServerResponse): void => {
      res.end('ok');
    },
  } as Harness;
  const server: Server = createServer({ keepAliveTimeout }, (req, res) => h.handler(req, res));
  server.on('connection', (s: Socket) => s.on('end', () => ended()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(h, {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return h;
}

/** One request through the agent as RestClient sends it; resolves with the body and whether the socket was reused. */
function get(agent: Agent, port: number, timeout?: number): Promise<{ body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, timeout }, (res) => {
      noteKeepAliveHint(res);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks).toString(), reused: req.reusedSocket }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

test('an idle pooled socket is closed by the client when the server never closes it', { timeout: 30_000 }, async (t) => {
  const server = await startServer(0); // no server-side idle limit, no Keep-Alive hint
  const agent = httpAgent({}, 100);
  t.after(async () => {
    agent.destroy();
    await server.close();
  });
  assert.equal((await get(agent, server.port)).body, 'ok');
  await server.clientEnded; // without the agent's idle timeout this never happens and the test times out
});

test("the server's Keep-Alive hint closes the socket on the client's side first", { timeout: 30_000 }, async (t) => {
  const server = await startServer(3000); // Node's server announces `Keep-Alive: timeout=3`
  const agent = httpAgent({}, 600_000);
  t.after(async () => {
    agent.destroy();
    await server.close();
  });
  await get(agent, server.port);
  // Node's server destroys its socket on its own timeout (no FIN from the client is seen then):
  // a half-close seen by the server means the client closed first, about a second early.
  await server.clientEnded;
});

test('a quiet stream on a reused socket stays open; a request timeout still fires', { timeout: 30_000 }, async (t) => {
  const server = await startServer(0);
  const agent = httpAgent({ maxSockets: 1 }, 50);
  t.after(async () => {
    agent.destroy();
    await server.close();
  });
  await get(agent, server.port);
  // A watch-like response: headers at once, the body after a pause far longer than the idle limit.
  server.handler = (_req, res) => {
    res.writeHead(200);
    res.flushHeaders();
    setTimeout(() => res.end('late'), 400);
  };
  const quiet = await get(agent, server.port);
  assert.deepEqual(quiet, { body: 'late', reused: true });
  // A request with its own timeout on a reused socket is still cut off by it.
  server.handler = () => {};
  await assert.rejects(get(agent, server.port, 200), { code: 'ETIMEDOUT' });
});
