import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { loadKubeconfig, resolveContext } from '../kubeconfig/index.ts';
import type { ClientConnection } from '../kubeconfig/index.ts';
import { issueServiceAccountToken } from './authn/index.ts';
import { runApiServer } from './server.ts';
import type { RunningApiServer } from './server.ts';

const kubectlBin = new URL('../../.tools/kubectl/kubectl', import.meta.url).pathname;
const run = promisify(execFile);

let dir: string;
let server: RunningApiServer;
let conn: ClientConnection;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-server-'));
  server = await runApiServer({ dataDir: dir, securePort: 0, bindAddress: '127.0.0.1', storageBackend: 'sqlite', log: () => {} });
  conn = await resolveContext(await loadKubeconfig(server.kubeconfigPath));
});

after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reply { status: number; body: string; alpn: string | false }

function h2(path: string, withCert: boolean): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = h2connect(server.url, { ca: conn.caPem, cert: withCert ? conn.certPem : undefined, key: withCert ? conn.keyPem : undefined });
    session.on('error', reject);
    const stream = session.request({ ':path': path });
    let status = 0;
    let body = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.setEncoding('utf8').on('data', (d: string) => (body += d));
    stream.on('end', () => {
      const alpn = session.alpnProtocol ?? false;
      session.close();
      resolve({ status, body, alpn });
    });
    stream.on('error', reject);
  });
}

function h1(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: server.port, path, ca: conn.caPem, agent: false, ALPNProtocols: ['http/1.1'], headers };
    const req = httpsRequest(options, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn: (res.socket as unknown as { alpnProtocol: string | false }).alpnProtocol }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('h2 with the admin client certificate lists the bootstrap namespaces', async () => {
  const r = await h2('/api/v1/namespaces', true);
  assert.equal(r.alpn, 'h2');
  assert.equal(r.status, 200);
  const names = (JSON.parse(r.body) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
  assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
});

test('http/1.1: anonymous /api is 401, /version is 200, the admin token works', async () => {
  const anon = await h1('/api');
  assert.equal(anon.alpn, 'http/1.1');
  assert.equal(anon.status, 401);
  assert.equal((JSON.parse(anon.body) as { reason: string }).reason, 'Unauthorized');
  const version = await h1('/version');
  assert.equal(version.status, 200);
  assert.match((JSON.parse(version.body) as { gitVersion: string }).gitVersion, /^v1\./);
  assert.equal((await h1('/readyz')).status, 200);
  const svc = await h1('/api/v1/namespaces/default/services/kubernetes', { authorization: `Bearer ${server.adminToken ?? ''}` });
  assert.equal(svc.status, 200);
  const spec = (JSON.parse(svc.body) as { spec: { clusterIP: string; ports: { port: number; targetPort: number }[] } }).spec;
  assert.equal(spec.clusterIP, '10.96.0.1');
  assert.deepEqual([spec.ports[0].port, spec.ports[0].targetPort], [443, server.port]);
  assert.equal((await h1('/api', { authorization: 'Bearer not-a-token' })).status, 401);
});

test('admin.kubeconfig is 0600 and real kubectl authenticates with it', async (t) => {
  assert.equal((await stat(server.kubeconfigPath)).mode & 0o777, 0o600);
  if (!(await stat(kubectlBin).then(() => true, () => false))) {
    t.skip('kubectl not installed (.tools)');
    return;
  }
  const home = await mkdtemp(join(tmpdir(), 'k8ts-server-home-'));
  try {
    const { stdout } = await run(kubectlBin, ['--kubeconfig', server.kubeconfigPath, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { env: { HOME: home, PATH: process.env.PATH ?? '' } });
    assert.equal(stdout, 'kubernetes-admin');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('a second start on the same data dir reuses the CA, the token and the objects', async () => {
  const dir2 = await mkdtemp(join(tmpdir(), 'k8ts-server-again-'));
  try {
    const first = await runApiServer({ dataDir: dir2, securePort: 0, bindAddress: '127.0.0.1', storageBackend: 'sqlite', log: () => {} });
    const ca1 = await readFile(join(dir2, 'pki', 'ca.crt'), 'utf8');
    await first.close();
    const second = await runApiServer({ dataDir: dir2, securePort: 0, bindAddress: '127.0.0.1', storageBackend: 'sqlite', log: () => {} });
    try {
      assert.equal(await readFile(join(dir2, 'pki', 'ca.crt'), 'utf8'), ca1);
      assert.equal(second.adminToken, first.adminToken);
      const c = await resolveContext(await loadKubeconfig(second.kubeconfigPath));
      assert.equal(c.server, second.url);
      const eps = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${second.url}/api/v1/namespaces/default/endpoints/kubernetes`, { ca: c.caPem, cert: c.certPem, key: c.keyPem, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
      // The port moved; the endpoints followed it.
      assert.equal((JSON.parse(eps) as { subsets: { ports: { port: number }[] }[] }).subsets[0].ports[0].port, second.port);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dir2, { recursive: true, force: true });
  }
});

function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${server.url}${path}`, { method, ca: conn.caPem, agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('service-account tokens authenticate while their service account exists with the same uid', async () => {
  const created = await call('POST', '/api/v1/namespaces/default/serviceaccounts', server.adminToken ?? '', { metadata: { name: 'bot' } });
  assert.equal(created.status, 201);
  const uid = (JSON.parse(created.body) as { metadata: { uid: string } }).metadata.uid;
  const [key, pub] = await Promise.all([readFile(join(dir, 'pki', 'sa.key'), 'utf8'), readFile(join(dir, 'pki', 'sa.pub'), 'utf8')]);
  const good = await issueServiceAccountToken(key, pub, { namespace: 'default', serviceAccountName: 'bot', serviceAccountUid: uid });
  const review = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', good.token, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  assert.equal((JSON.parse(review.body) as { status: { userInfo: { username: string } } }).status.userInfo.username, 'system:serviceaccount:default:bot');
  const stale = await issueServiceAccountToken(key, pub, { namespace: 'default', serviceAccountName: 'bot', serviceAccountUid: 'a-previous-uid' });
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps', stale.token)).status, 401);
  const ghost = await issueServiceAccountToken(key, pub, { namespace: 'default', serviceAccountName: 'ghost', serviceAccountUid: 'x' });
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps', ghost.token)).status, 401);
});
