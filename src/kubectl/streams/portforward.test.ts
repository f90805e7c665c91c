import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { handlePortForward } from '../../kubelet/server/portforward.ts';
import { SandboxState } from '../../kubelet/runtime/types.ts';
import type { ContainerRuntime } from '../../kubelet/runtime/types.ts';
import { forwardPorts, parseAddresses, parsePorts } from './portforward.ts';

test('port specs: REMOTE, LOCAL:REMOTE, :REMOTE and 0:REMOTE (random local), with upstream\'s errors', () => {
  assert.deepEqual(parsePorts(['5000', '8888:5000', ':80', '0:81']), [
    { local: 5000, remote: 5000 },
    { local: 8888, remote: 5000 },
    { local: 0, remote: 80 },
    { local: 0, remote: 81 },
  ]);
  assert.throws(() => parsePorts(['1:2:3']), { message: "invalid port format '1:2:3'" });
  assert.throws(() => parsePorts(['x:80']), { message: `error parsing local port 'x': strconv.ParseUint: parsing "x": invalid syntax` });
  assert.throws(() => parsePorts(['80:70000']), { message: `error parsing remote port '70000': strconv.ParseUint: parsing "70000": value out of range` });
  assert.throws(() => parsePorts(['8080:0']), { message: 'remote port must be > 0' });
});

test('addresses: localhost means 127.0.0.1 and ::1 (either may fail), IPs must all work, sorted and de-duplicated', () => {
  assert.deepEqual(parseAddresses(['localhost']), [
    { address: '127.0.0.1', family: 4, failureMode: 'all' },
    { address: '::1', family: 6, failureMode: 'all' },
  ]);
  assert.deepEqual(parseAddresses(['10.0.0.1', 'localhost', '10.0.0.1', 'fe80::1']).map((a) => `${a.address}/${a.failureMode}`), ['10.0.0.1/any', '127.0.0.1/all', '::1/all', 'fe80::1/any']);
  assert.throws(() => parseAddresses(['example.com']), { message: 'example.com is not a valid IP' });
});

/** The kubelet's own port-forward handler behind a plain HTTP server, dialling 127.0.0.1 (a host-network "pod"). */
async function fakeNode(refuseWebSocket: boolean): Promise<{ url: string; upgrades: string[]; close: () => Promise<void> }> {
  const sandbox = { id: 'sb', metadata: { namespace: 'ns', name: 'p', uid: 'u', attempt: 0 }, state: SandboxState.Ready, createdAt: 1, labels: {}, annotations: {}, ip: '', pausePid: 0 };
  const runtime = { listPodSandboxes: () => Promise.resolve([sandbox]) } as unknown as ContainerRuntime;
  const upgrades: string[] = [];
  const server = createHttpServer();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const kind = `${req.method ?? ''} ${req.headers.upgrade ?? ''}`;
    upgrades.push(kind);
    if (refuseWebSocket && req.headers.upgrade === 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    void handlePortForward(runtime, req, socket, head, () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, upgrades, close: () => new Promise((r) => server.close(() => r())) };
}

for (const refuseWebSocket of [false, true]) {
  test(`forwardPorts relays through the kubelet's handler (${refuseWebSocket ? 'WebSocket refused: plain SPDY fallback' : 'SPDY tunnelled in WebSocket'})`, async () => {
    const echo = createServer((c) => c.on('data', (d: Buffer) => c.end(`echo:${d.toString()}`)));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const remote = (echo.address() as AddressInfo).port;
    const node = await fakeNode(refuseWebSocket);
    const out = new PassThrough();
    let printed = '';
    out.on('data', (d: Buffer) => (printed += d.toString()));
    let stop: () => void = () => undefined;
    const ports = [{ local: 0, remote }];
    const done = forwardPorts({
      connection: { server: node.url, insecureSkipTlsVerify: false, namespace: 'ns' },
      path: '/portForward/ns/p',
      addresses: parseAddresses(['127.0.0.1']),
      ports,
      stdout: out,
      stderr: out,
      stop: new Promise<void>((r) => (stop = r)),
    });
    try {
      for (let i = 0; i < 200 && !printed.includes('Forwarding'); i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(printed, `Forwarding from 127.0.0.1:${ports[0].local} -> ${remote}\n`);
      const reply = await new Promise<string>((resolve, reject) => {
        const c = connect(ports[0].local, '127.0.0.1', () => c.write('ping'));
        let got = '';
        c.on('data', (d: Buffer) => (got += d.toString()));
        c.on('end', () => resolve(got));
        c.on('error', reject);
      });
      assert.equal(reply, 'echo:ping');
      assert.match(printed, new RegExp(`Handling connection for ${ports[0].local}\\n$`));
      assert.deepEqual(node.upgrades, refuseWebSocket ? ['GET websocket', 'POST SPDY/3.1'] : ['GET websocket']);
    } finally {
      stop();
      await done;
      await node.close();
      echo.close();
    }
  });
}
