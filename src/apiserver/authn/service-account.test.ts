import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { generateKeyPair, privateKeyToPem, publicKeyToPem } from '../../pki/index.ts';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER, issueServiceAccountToken, keyIdOf, serviceAccountTokenAuthenticator } from './index.ts';

async function keyPair(): Promise<{ keyPem: string; pubPem: string }> {
  const k = await generateKeyPair();
  return { keyPem: await privateKeyToPem(k.privateKey), pubPem: await publicKeyToPem(k.publicKey) };
}

const req = { namespace: 'team', serviceAccountName: 'builder', serviceAccountUid: 'sa-uid', pod: { name: 'p1', uid: 'pod-uid' } };

test('issued tokens carry upstream claims and authenticate as the service account', async () => {
  const keys = await keyPair();
  const issued = await issueServiceAccountToken(keys.keyPem, keys.pubPem, req);
  const claims = decodeJwt(issued.token);
  assert.equal(claims.iss, DEFAULT_SERVICE_ACCOUNT_ISSUER);
  assert.equal(claims.sub, 'system:serviceaccount:team:builder');
  assert.deepEqual(claims.aud, [DEFAULT_SERVICE_ACCOUNT_ISSUER]);
  assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);
  assert.equal(decodeProtectedHeader(issued.token).kid, keyIdOf(keys.pubPem));
  assert.match(issued.expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const authn = serviceAccountTokenAuthenticator({ publicKeyPems: [keys.pubPem] });
  const user = await authn.authenticateToken(issued.token);
  assert.equal(user?.username, 'system:serviceaccount:team:builder');
  assert.equal(user?.uid, 'sa-uid');
  assert.deepEqual(user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:team']);
  assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-name'], ['p1']);
  assert.match(user?.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '', /^JTI=/);
});

test('wrong key, wrong audience, expired, revoked and non-JWT tokens are refused', async () => {
  const keys = await keyPair();
  const other = await keyPair();
  const authn = serviceAccountTokenAuthenticator({ publicKeyPems: [keys.pubPem] });
  const forged = await issueServiceAccountToken(other.keyPem, other.pubPem, req);
  assert.equal(await authn.authenticateToken(forged.token), undefined);
  const elsewhere = await issueServiceAccountToken(keys.keyPem, keys.pubPem, { ...req, audiences: ['vault'] });
  assert.equal(await authn.authenticateToken(elsewhere.token), undefined);
  const old = await issueServiceAccountToken(keys.keyPem, keys.pubPem, { ...req, expirationSeconds: 600 }, DEFAULT_SERVICE_ACCOUNT_ISSUER, new Date(Date.now() - 3600_000));
  assert.equal(await authn.authenticateToken(old.token), undefined);
  assert.equal(await authn.authenticateToken('abc123'), undefined);
  const revoking = serviceAccountTokenAuthenticator({ publicKeyPems: [keys.pubPem], stillValid: (c) => Promise.resolve(c.uid !== 'sa-uid') });
  const good = await issueServiceAccountToken(keys.keyPem, keys.pubPem, req);
  assert.equal(await revoking.authenticateToken(good.token), undefined);
});
