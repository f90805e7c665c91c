import assert from 'node:assert/strict';
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { ensureCa, ensureClusterPki, issueClientCert } from '../../pki/index.ts';
import type { ClusterPki, KeyPairPem } from '../../pki/index.ts';
import { createAuthenticator, parseTokenFile, staticTokenAuthenticator } from '../authn/index.ts';
import { startSecureServer } from './index.ts';
import type { SecureServer } from './index.ts';

let dir: string;
let pki: ClusterPki;
let server: SecureServer;
let foreign: KeyPairPem;
const upgrades: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-transport-'));
  pki = await ensureClusterPki(dir);
  foreign = await issueClientCert(await ensureCa(join(dir, 'other-ca')), 'kubernetes-admin', ['system:masters']);
  server = await startSecureServer({
    port: 0,
    host: '127.0.0.1',
    certPem: pki.serving.certPem,
    keyPem: pki.serving.keyPem,
    clientCaPem: pki.ca.certPem,
    authenticate: createAuthenticator({ clientCertificates: true, tokenAuthenticators: [staticTokenAuthenticator(parseTokenFile('tok,alice,a1,"dev"\n'))] }),
    handler: (req, res, user) => {
      const proto = 'stream' in req ? 'h2' : 'http/1.1';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ proto, path: req.url, user: user ?? null }));
    },
    onUpgrade: (req, socket, _head, user) => {
      upgrades.push(`${user.username} ${req.url ?? ''}`);
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    },
    log: () => {},
  });
});

after(async () => {
  await server?.close(500);
  await rm(dir, { recursive: true, force: true });
});

interface Reply { status: number; body: { proto?: string; user?: { username: string; groups: string[] } | null; reason?: string; kind?: string } }

function h2get(path: string, opts: { cert?: KeyPairPem; token?: string } = {}): Promise<Reply & { alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${server.port}`, { ca: pki.ca.certPem, cert: opts.cert?.certPem, key: opts.cert?.keyPem });
    session.on('error', reject);
    const headers: Record<string, string> = { ':path': path };
    if (opts.token !== undefined) {
      headers.authorization = `Bearer ${opts.token}`;
    }
    const stream = session.request(headers);
    let status = 0;
    let data = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.setEncoding('utf8').on('data', (d: string) => (data += d));
    stream.on('end', () => {
      const alpn = session.alpnProtocol ?? false;
      session.close();
      resolve({ status, body: JSON.parse(data) as Reply['body'], alpn });
    });
    stream.on('error', reject);
  });
}

function h1get(path: string, opts: { cert?: KeyPairPem; token?: string } = {}): Promise<Reply & { alpn: string | false }> {
  return new Promise((resolve, reject) => {
    // ALPNProtocols is a TLS option https.request passes through (its typings omit it).
    const options = { host: '127.0.0.1', port: server.port, path, ca: pki.ca.certPem, cert: opts.cert?.certPem, key: opts.cert?.keyPem, ALPNProtocols: ['http/1.1'], agent: false, headers: opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {} };
    const req = httpsRequest(options, (res) => {
      let data = '';
      res.setEncoding('utf8').on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Reply['body'], alpn: (res.socket as unknown as { alpnProtocol: string | false }).alpnProtocol }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('h2: client certificate authenticates as CN/O plus system:authenticated', async () => {
  const r = await h2get('/api', { cert: pki.admin });
  assert.equal(r.alpn, 'h2');
  assert.equal(r.status, 200);
  assert.equal(r.body.proto, 'h2');
  assert.deepEqual(r.body.user, { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
});

test('http/1.1: bearer token authenticates', async () => {
  const r = await h1get('/api/v1/pods', { token: 'tok' });
  assert.equal(r.alpn, 'http/1.1');
  assert.equal(r.body.proto, 'http/1.1');
  assert.equal(r.body.user?.username, 'alice');
});

test('anonymous: 401 Status on /api, allowed on /version and /readyz', async () => {
  for (const get of [h1get, h2get]) {
    const denied = await get('/api');
    assert.equal(denied.status, 401);
    assert.equal(denied.body.kind, 'Status');
    assert.equal(denied.body.reason, 'Unauthorized');
    const v = await get('/version');
    assert.equal(v.status, 200);
    assert.equal(v.body.user, null);
    assert.equal((await get('/readyz')).status, 200);
  }
});

test('bad token and a certificate from another CA are 401, even on /version', async () => {
  assert.equal((await h2get('/version', { token: 'wrong' })).status, 401);
  assert.equal((await h1get('/api', { cert: foreign })).status, 401);
});

function rawUpgrade(opts: { token?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: server.port, ca: pki.ca.certPem, servername: 'localhost' }, () => {
      const auth = opts.token !== undefined ? `Authorization: Bearer ${opts.token}\r\n` : '';
      s.write(`GET /api/v1/namespaces/default/pods/p/exec HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: test\r\n${auth}\r\n`);
    });
    let data = '';
    s.setEncoding('utf8').on('data', (d: string) => (data += d));
    s.on('end', () => resolve(data));
    s.on('close', () => resolve(data));
    s.on('error', reject);
  });
}

test('upgrades: authenticated ones reach the hook, anonymous ones get 401', async () => {
  assert.match(await rawUpgrade({}), /^HTTP\/1\.1 401/);
  assert.match(await rawUpgrade({ token: 'tok' }), /^HTTP\/1\.1 101/);
  assert.deepEqual(upgrades, ['alice /api/v1/namespaces/default/pods/p/exec']);
});
