import assert from 'node:assert/strict';
import { request } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { silentLogger } from '../../client/log.ts';
import { componentRegistry, startComponentServer } from './secure-serving.ts';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function takenPort(): Promise<{ port: number; close(): void }> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => resolve({ port: (s.address() as AddressInfo).port, close: () => s.close() }));
  });
}

test('serves health checks and metrics over self-signed TLS; a failing check is a 500', async () => {
  const probe = await takenPort();
  probe.close();
  const { registry, setLeader } = componentRegistry();
  setLeader('kube-scheduler', true);
  let broken: string | undefined;
  const server = await startComponentServer('test', { bindAddress: '127.0.0.1', securePort: probe.port }, new Map([['ping', () => undefined], ['thing', () => broken]]), registry, silentLogger);
  assert.ok(server !== undefined);
  try {
    assert.deepEqual(await get(server.port, '/healthz'), { status: 200, body: 'ok' });
    assert.equal((await get(server.port, '/readyz?verbose')).body, '[+]ping ok\n[+]thing ok\nreadyz check passed\n');
    const m = await get(server.port, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.body, /^leader_election_master_status\{name="kube-scheduler"\} 1$/m);
    assert.match(m.body, /^process_resident_memory_bytes \d+/m);
    broken = 'stuck';
    const h = await get(server.port, '/livez');
    assert.equal(h.status, 500);
    assert.match(h.body, /\[-\]thing failed: reason withheld\nlivez check failed/);
    assert.equal((await get(server.port, '/nope')).status, 404);
  } finally {
    await server.close();
  }
});

test('port 0 disables serving; a taken port is logged and tolerated', async () => {
  const { registry } = componentRegistry();
  assert.equal(await startComponentServer('test', { bindAddress: '127.0.0.1', securePort: 0 }, new Map(), registry, silentLogger), undefined);
  const taken = await takenPort();
  const logged: string[] = [];
  try {
    const s = await startComponentServer('test', { bindAddress: '127.0.0.1', securePort: taken.port }, new Map(), registry, (_lvl, msg) => logged.push(msg));
    assert.equal(s, undefined);
    assert.match(logged.join('\n'), /failed to serve on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  } finally {
    taken.close();
  }
});
