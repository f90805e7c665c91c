/**
 * TokenRequest end to end: real kubectl 1.35 `create token` against a real `k8ts apiserver`,
 * and the apiserver then accepts the token it signed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { testApiClient } from '../util/http.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';

describe('serviceaccounts/<name>/token with real kubectl', () => {
  let server: TestApiServer | undefined;
  let env: ClientEnv | undefined;

  before(async () => {
    server = await startApiServer({ backend: 'sqlite' });
    env = clientEnv(server.kubeconfig);
  });
  after(async () => {
    await server?.stop();
    env?.cleanup();
  });

  test('kubectl create token prints a JWT the apiserver accepts as the service account', async () => {
    assert.ok(server !== undefined && env !== undefined);
    await kubectlOk(env, ['create', 'serviceaccount', 'sa1']);
    const token = (await kubectlOk(env, ['create', 'token', 'sa1', '--duration', '20m'])).trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { sub: string; exp: number; iat: number };
    assert.equal(claims.sub, 'system:serviceaccount:default:sa1');
    assert.equal(claims.exp - claims.iat, 1200);

    const client = testApiClient(server.url, server.kubeconfig, token);
    try {
      const review = await client.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
      assert.equal(review.status, 201, review.body);
      const user = review.json<{ status: { userInfo: { username: string; groups: string[] } } }>().status.userInfo;
      assert.equal(user.username, 'system:serviceaccount:default:sa1');
      assert.ok(user.groups.includes('system:serviceaccounts:default'));
    } finally {
      client.close();
    }
  });

  test('too short a duration and a missing service account fail like upstream', async () => {
    assert.ok(env !== undefined);
    const short = await kubectl(env, ['create', 'token', 'sa1', '--duration', '1m']);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /TokenRequest\.authentication\.k8s\.io "" is invalid: spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
    const missing = await kubectl(env, ['create', 'token', 'nobody']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
  });
});
