import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RestClient } from '../../client/index.ts';
import { silentLogger } from '../../client/log.ts';
import { ensureCa, issueClientCert, issueServingCert } from '../../pki/index.ts';
import { ServiceAccountCredentials } from './sa-credentials.ts';

test('service-account credentials: the SA is created, a token requested, and the controller client sends it instead of a certificate', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-sa-creds-'));
  const ca = await ensureCa(dir);
  const serving = await issueServingCert(ca, ['127.0.0.1']);
  const manager = await issueClientCert(ca, 'system:kube-controller-manager');
  const seen: string[] = [];
  const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url === '/api/v1/namespaces/kube-system/serviceaccounts/job-controller') {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
      } else if (req.method === 'POST' && req.url?.endsWith('/serviceaccounts/job-controller/token')) {
        assert.equal((JSON.parse(body) as { spec: { expirationSeconds: number } }).spec.expirationSeconds, 3600);
        const expirationTimestamp = new Date(Date.now() + 3600_000).toISOString();
        res.end(JSON.stringify({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: {}, status: { token: 'sa-token-1', expirationTimestamp } }));
      } else {
        res.end(body === '' ? JSON.stringify({ kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'x' } }) : body);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const root = new RestClient({ connection: { server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: ca.certPem, certPem: manager.certPem, keyPem: manager.keyPem, token: 'root-token', insecureSkipTlsVerify: false, namespace: 'default' }, logger: silentLogger, maxRetries: 0 });
  const creds = new ServiceAccountCredentials(root, silentLogger);
  try {
    const client = await creds.clientFor('job-controller', { logger: silentLogger, maxRetries: 0 });
    assert.equal(client.connection.certPem, undefined);
    assert.equal(client.connection.keyPem, undefined);
    await client.get({ group: 'batch', version: 'v1', resource: 'jobs', namespace: 'default', name: 'j' });
    assert.deepEqual(seen, [
      'GET /api/v1/namespaces/kube-system/serviceaccounts/job-controller Bearer root-token',
      'POST /api/v1/namespaces/kube-system/serviceaccounts Bearer root-token',
      'POST /api/v1/namespaces/kube-system/serviceaccounts/job-controller/token Bearer root-token',
      'GET /apis/batch/v1/namespaces/default/jobs/j Bearer sa-token-1',
    ]);
    // A second controller with the same service account shares its token.
    await creds.clientFor('job-controller', { logger: silentLogger });
    assert.equal(seen.filter((s) => s.includes('/token')).length, 1);
    client.close();
  } finally {
    creds.close();
    root.close();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
