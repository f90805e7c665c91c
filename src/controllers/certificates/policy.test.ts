import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureCa, generateKeyPair, signCertificateRequest } from '../../pki/index.ts';
import { signingAlgorithm, x509 } from '../../pki/keys.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide, Signers } from './policy.ts';
import type { CsrView } from './policy.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

async function request(name: string): Promise<string> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm, extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'node-a.example' }])] });
  return Buffer.from(csr.toString('pem')).toString('base64');
}

const approved = { conditions: [{ type: 'Approved', status: 'True' }] };

test('decide: only approved, unissued requests for our signers; usages and node subjects as upstream checks them', async () => {
  const alice = await request('CN=alice, O=devs');
  const node = await request('CN=system:node:a, O=system:nodes');
  const csr = (signerName: string, usages: string[], status: CsrView['status'] = approved, req = alice, expirationSeconds?: number): CsrView => ({ spec: { request: req, signerName, usages, expirationSeconds }, status });

  assert.deepEqual(decide(csr(Signers.apiServerClient, ['client auth'], {}), YEAR_MS), { action: 'skip' }, 'pending');
  assert.deepEqual(decide(csr(Signers.apiServerClient, ['client auth'], { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Failed', status: 'True' }] }), YEAR_MS), { action: 'skip' }, 'failed');
  assert.deepEqual(decide(csr(Signers.apiServerClient, ['client auth'], { ...approved, certificate: 'x' }), YEAR_MS), { action: 'skip' }, 'issued');
  assert.deepEqual(decide(csr('example.com/other', ['client auth']), YEAR_MS), { action: 'skip' }, 'another signer');

  const client = decide(csr(Signers.apiServerClient, ['digital signature', 'client auth'], approved, alice, 3600), YEAR_MS);
  assert.deepEqual(client, { action: 'sign', keyUsages: x509.KeyUsageFlags.digitalSignature, extendedUsages: [x509.ExtendedKeyUsage.clientAuth], durationMs: 3600_000 });
  assert.equal((decide(csr(Signers.apiServerClient, ['client auth'], approved, alice, 60), YEAR_MS) as { durationMs: number }).durationMs, 600_000, 'at least 10 minutes');
  assert.equal((decide(csr(Signers.apiServerClient, ['client auth']), 3600_000) as { durationMs: number }).durationMs, 3600_000, '--cluster-signing-duration when none is asked for');

  assert.deepEqual(decide(csr(Signers.apiServerClient, ['client auth', 'server auth']), YEAR_MS), { action: 'fail', message: 'invalid usage for client certificate: server auth' });
  assert.deepEqual(decide(csr(Signers.apiServerClient, ['digital signature']), YEAR_MS), { action: 'fail', message: 'missing required usage for client certificate: client auth' });
  assert.deepEqual(decide(csr(Signers.kubeletServing, ['server auth'], approved, alice), YEAR_MS), { action: 'fail', message: 'subject organization is not system:nodes' });
  assert.equal(decide(csr(Signers.kubeletServing, ['key encipherment', 'server auth'], approved, node), YEAR_MS).action, 'sign');
  assert.deepEqual(decide(csr(Signers.apiServerClient, ['client auth'], approved, Buffer.from('junk').toString('base64')), YEAR_MS).action, 'fail');
});

test('signCertificateRequest: the request\'s subject and SANs, the asked usages, never past the CA, signed by the CA', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-csr-unit-'));
  try {
    const ca = await ensureCa(dir);
    const pem = await signCertificateRequest(ca, {
      csrPem: Buffer.from(await request('CN=system:node:a, O=system:nodes'), 'base64').toString('utf8'),
      keyUsages: x509.KeyUsageFlags.digitalSignature,
      extendedUsages: [x509.ExtendedKeyUsage.serverAuth],
      durationMs: 100 * YEAR_MS,
    });
    const cert = new x509.X509Certificate(pem);
    assert.equal(cert.subject, 'CN=system:node:a, O=system:nodes');
    assert.ok(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }));
    assert.equal(cert.notAfter.getTime(), ca.cert.notAfter.getTime(), 'capped at the CA\'s own expiry');
    assert.deepEqual([...(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth]);
    assert.deepEqual(cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items.map((n) => n.value), ['node-a.example']);
    assert.equal(cert.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
