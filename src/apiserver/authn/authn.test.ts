import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { StatusError } from '../../api/errors.ts';
import { bearerTokenOf, createAuthenticator, ensureTokenFile, isPublicPath, parseTokenFile, staticTokenAuthenticator } from './index.ts';

test('token file: upstream CSV format with quoted groups, short records rejected', () => {
  const tokens = parseTokenFile('t1,alice,uid-1,"dev,ops"\n\n# comment\nt2,bob,uid-2\nt1,dup,uid-9\n');
  assert.deepEqual(tokens.get('t1'), { username: 'alice', uid: 'uid-1', groups: ['dev', 'ops'] });
  assert.deepEqual(tokens.get('t2'), { username: 'bob', uid: 'uid-2', groups: [] });
  assert.equal(tokens.size, 2);
  assert.throws(() => parseTokenFile('t3,carol\n', 'tokens.csv'), /must have at least 3 columns/);
});

test('bearer token from Authorization header or WebSocket subprotocol', () => {
  assert.equal(bearerTokenOf({ authorization: 'Bearer abc' }), 'abc');
  assert.equal(bearerTokenOf({ authorization: 'bearer  abc ' }), 'abc');
  assert.equal(bearerTokenOf({ authorization: 'Basic Zm9vOmJhcg==' }), undefined);
  const proto = `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${Buffer.from('wstok').toString('base64url')}`;
  assert.equal(bearerTokenOf({ upgrade: 'websocket', 'sec-websocket-protocol': proto }), 'wstok');
});

function fakeSocket(cert: object, authorized: boolean): TLSSocket {
  return { getPeerCertificate: () => cert, authorized } as unknown as TLSSocket;
}

test('union authenticator: cert first, then token; bad token is 401; none is anonymous', async () => {
  const authn = createAuthenticator({ clientCertificates: true, tokenAuthenticators: [staticTokenAuthenticator(parseTokenFile('good,tok-user,u1,"g1"\n'))] });
  const certUser = await authn({ socket: fakeSocket({ subject: { CN: 'alice', O: ['dev', 'ops'] }, ext_key_usage: ['1.3.6.1.5.5.7.3.2'] }, true), headers: { authorization: 'Bearer good' } });
  assert.deepEqual(certUser, { username: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
  const tokUser = await authn({ socket: fakeSocket({}, false), headers: { authorization: 'Bearer good' } });
  assert.deepEqual(tokUser, { username: 'tok-user', uid: 'u1', groups: ['g1', 'system:authenticated'] });
  assert.equal(await authn({ socket: fakeSocket({}, false), headers: {} }), undefined);
  await assert.rejects(authn({ socket: undefined, headers: { authorization: 'Bearer nope' } }), (e: unknown) => e instanceof StatusError && e.code === 401);
  // A certificate that did not verify, or is not for client auth, is refused rather than ignored.
  await assert.rejects(authn({ socket: fakeSocket({ subject: { CN: 'mallory' } }, false), headers: {} }), (e: unknown) => e instanceof StatusError && e.code === 401);
  await assert.rejects(authn({ socket: fakeSocket({ subject: { CN: 'srv' }, ext_key_usage: ['1.3.6.1.5.5.7.3.1'] }, true), headers: {} }), (e: unknown) => e instanceof StatusError && e.code === 401);
});

test('public paths: health and version only', () => {
  for (const p of ['/version', '/version/', '/healthz', '/livez', '/readyz', '/readyz/ping', '/healthz/etcd']) {
    assert.ok(isPublicPath(p), p);
  }
  for (const p of ['/', '/api', '/apis', '/versionx', '/readyzz', '/openapi/v3']) {
    assert.equal(isPublicPath(p), false, p);
  }
});

test('ensureTokenFile creates a 0600 file with an admin token and reuses it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-tokens-'));
  try {
    const path = join(dir, 'pki', 'tokens.csv');
    const token = await ensureTokenFile(path);
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(await ensureTokenFile(path), token);
    const user = parseTokenFile(await readFile(path, 'utf8')).get(token);
    assert.deepEqual(user?.groups, ['system:masters']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('client certificate: read once per TLS 1.3 connection, per request on TLS 1.2', async () => {
  const authn = createAuthenticator({ clientCertificates: true, tokenAuthenticators: [] });
  const counting = (protocol: string): { socket: TLSSocket; reads: () => number } => {
    let reads = 0;
    const cert = { subject: { CN: 'alice', O: 'dev' } };
    const socket = { getPeerCertificate: () => (reads++, cert), getProtocol: () => protocol, authorized: true } as unknown as TLSSocket;
    return { socket, reads: () => reads };
  };
  const v13 = counting('TLSv1.3');
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await authn({ socket: v13.socket, headers: {} }), { username: 'alice', groups: ['dev', 'system:authenticated'] });
  }
  assert.equal(v13.reads(), 1);
  const v12 = counting('TLSv1.2');
  await authn({ socket: v12.socket, headers: {} });
  await authn({ socket: v12.socket, headers: {} });
  assert.equal(v12.reads(), 2);
});
