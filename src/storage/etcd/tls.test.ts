/** The etcd backend over TLS with client-certificate auth, configured the way the apiserver flags do (PEM files). */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureCa, issueClientCert, issueServingCert } from '../../pki/index.ts';
import { startEtcd } from '../../../test/util/etcd.ts';
import { StorageErrorCode } from '../interface.ts';
import { openStorage } from '../open.ts';
import { EtcdStorage } from './store.ts';

test('https etcd with client certificates: works with them, refused without', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-etcd-tls-'));
  try {
    const ca = await ensureCa(join(dir, 'ca'), 'etcd-ca');
    const server = await issueServingCert(ca, ['127.0.0.1', 'localhost'], 'etcd');
    const client = await issueClientCert(ca, 'kube-apiserver-etcd-client');
    const etcd = await startEtcd({
      tls: { caPem: ca.certPem, serverCertPem: server.certPem, serverKeyPem: server.keyPem, clientCertPem: client.certPem, clientKeyPem: client.keyPem },
    });
    try {
      assert.match(etcd.endpoints[0], /^https:/);
      const files = { ca: join(dir, 'etcd-ca.crt'), cert: join(dir, 'client.crt'), key: join(dir, 'client.key') };
      await writeFile(files.ca, ca.certPem);
      await writeFile(files.cert, client.certPem);
      await writeFile(files.key, client.keyPem, { mode: 0o600 });
      const s = await openStorage({
        backend: 'etcd3',
        dataDir: dir,
        etcdServers: etcd.endpoints,
        etcdCaFile: files.ca,
        etcdCertFile: files.cert,
        etcdKeyFile: files.key,
        compactor: false,
      });
      try {
        const kv = await s.create('/registry/secrets/ns/a', '{}');
        assert.deepEqual(await s.get('/registry/secrets/ns/a'), kv);
      } finally {
        await s.close();
      }
      await assert.rejects(
        openStorage({ backend: 'etcd3', dataDir: dir, etcdServers: etcd.endpoints, etcdCertFile: files.cert, etcdKeyFile: files.key }),
        /need --etcd-cafile/,
      );
      const anonymous = new EtcdStorage({ endpoints: etcd.endpoints, tls: { caPem: ca.certPem }, requestTimeoutMs: 3000, compactor: false });
      try {
        await assert.rejects(anonymous.get('/registry/secrets/ns/a'), (err: unknown) => (err as { code?: string }).code === StorageErrorCode.Unavailable);
      } finally {
        await anonymous.close();
      }
    } finally {
      await etcd.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
