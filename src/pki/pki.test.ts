import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { apiserverSans, ensureCa, ensureClientCert, ensureClusterPki, issueClientCert, issueServingCert } from './index.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-pki-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('client certificate chains to the CA and carries CN=user, O=groups', () => withDir(async (dir) => {
  const ca = await ensureCa(dir);
  const leaf = await issueClientCert(ca, 'alice', ['dev', 'ops']);
  const caCert = new X509Certificate(ca.certPem);
  const cert = new X509Certificate(leaf.certPem);
  assert.ok(caCert.ca);
  assert.ok(cert.verify(caCert.publicKey));
  assert.ok(cert.checkIssued(caCert));
  assert.match(cert.subject, /CN=alice/);
  assert.deepEqual(cert.subject.split('\n').filter((l) => l.startsWith('O=')), ['O=dev', 'O=ops']);
  assert.ok(cert.checkPrivateKey(createPrivateKey(leaf.keyPem)));
  // openssl agrees on the chain and the purpose.
  await writeFile(join(dir, 'leaf.crt'), leaf.certPem);
  const out = execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt')], { encoding: 'utf8' });
  assert.match(out, /OK/);
}));

test('serving certificate has IP and DNS SANs and verifies for serverAuth', () => withDir(async (dir) => {
  const ca = await ensureCa(dir);
  const leaf = await issueServingCert(ca, apiserverSans('192.0.2.7'));
  const cert = new X509Certificate(leaf.certPem);
  assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
  assert.ok(cert.checkIP('127.0.0.1'));
  assert.ok(cert.checkIP('::1'));
  assert.ok(cert.checkIP('10.96.0.1'));
  assert.ok(cert.checkIP('192.0.2.7'));
  assert.equal(cert.checkIP('192.0.2.8'), undefined);
  assert.equal(cert.checkHost('kubernetes.default.svc.cluster.local'), 'kubernetes.default.svc.cluster.local');
  assert.equal(cert.checkHost('localhost'), 'localhost');
  await writeFile(join(dir, 'srv.crt'), leaf.certPem);
  const out = execFileSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.crt'), join(dir, 'srv.crt')], { encoding: 'utf8' });
  assert.match(out, /OK/);
}));

test('ensureClusterPki writes 0600 keys and reuses everything on a second start', () => withDir(async (dir) => {
  const first = await ensureClusterPki(dir);
  assert.match(new X509Certificate(first.kubeletClient.certPem).subject, /CN=kube-apiserver-kubelet-client/);
  for (const f of ['ca.key', 'apiserver.key', 'admin.key', 'apiserver-kubelet-client.key', 'sa.key']) {
    assert.equal((await stat(join(dir, 'pki', f))).mode & 0o777, 0o600, f);
  }
  const admin = new X509Certificate(first.admin.certPem);
  assert.match(admin.subject, /CN=kubernetes-admin/);
  assert.match(admin.subject, /O=system:masters/);
  const second = await ensureClusterPki(dir);
  assert.equal(second.ca.certPem, first.ca.certPem);
  assert.equal(second.serving.certPem, first.serving.certPem);
  assert.equal(second.admin.keyPem, first.admin.keyPem);
  assert.equal(second.serviceAccount.pubPem, first.serviceAccount.pubPem);
  assert.equal(await readFile(join(dir, 'pki', 'ca.crt'), 'utf8'), first.ca.certPem);
}));

test('a serving certificate missing a requested SAN is re-issued by the same CA', () => withDir(async (dir) => {
  const first = await ensureClusterPki(dir);
  const second = await ensureClusterPki(dir, apiserverSans('198.51.100.4'));
  assert.equal(second.ca.certPem, first.ca.certPem);
  assert.notEqual(second.serving.certPem, first.serving.certPem);
  assert.ok(new X509Certificate(second.serving.certPem).checkIP('198.51.100.4'));
  const third = await ensureClusterPki(dir, apiserverSans('198.51.100.4'));
  assert.equal(third.serving.certPem, second.serving.certPem);
}));

test('component client certificates are reused until their identity changes', () => withDir(async (dir) => {
  const first = await ensureClientCert(dir, 'kubelet', 'system:node:n1', ['system:nodes']);
  assert.match(new X509Certificate(first.certPem).subject, /CN=system:node:n1/);
  assert.equal((await stat(first.keyFile)).mode & 0o777, 0o600);
  const again = await ensureClientCert(dir, 'kubelet', 'system:node:n1', ['system:nodes']);
  assert.equal(again.certPem, first.certPem);
  const renamed = await ensureClientCert(dir, 'kubelet', 'system:node:n2', ['system:nodes']);
  assert.notEqual(renamed.certPem, first.certPem);
  assert.match(new X509Certificate(renamed.certPem).subject, /CN=system:node:n2/);
}));
