import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isNotFound, StatusError } from '../api/errors.ts';
import { pathFor } from './paths.ts';
import { PatchType } from './rest.ts';
import { isGone } from './status.ts';
import { TokenBucket } from './tokenbucket.ts';
import { sendJson, startFakeServer } from './testing.ts';
import type { FakeServer } from './testing.ts';

let fake: FakeServer;
before(async () => {
  fake = await startFakeServer({ component: 'unit', qps: 1000, burst: 1000, maxRetries: 3 });
});
after(async () => {
  await fake.close();
});

test('pathFor builds core, group, namespaced and subresource paths', () => {
  assert.equal(pathFor({ group: '', version: 'v1', resource: 'pods' }), '/api/v1/pods');
  assert.equal(pathFor({ group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns', name: 'd', subresource: 'scale' }), '/apis/apps/v1/namespaces/ns/deployments/d/scale');
  assert.equal(pathFor({ group: '', version: 'v1', resource: 'configmaps', namespace: 'a b', name: 'x/y' }), '/api/v1/namespaces/a%20b/configmaps/x%2Fy');
  assert.throws(() => pathFor({ group: '', version: 'v1', resource: 'pods', subresource: 'status' }));
});

test('JSON in/out, user agent, patch content type, no token over http', async () => {
  fake.seen.length = 0;
  fake.handler = (req, res) => sendJson(res, 200, { kind: 'Pod', metadata: { name: 'p' }, echo: req.body === '' ? null : JSON.parse(req.body) });
  const got = await fake.client.patch({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'p' }, { metadata: { labels: { a: 'b' } } }, PatchType.StrategicMerge, { fieldManager: 'm' });
  assert.deepEqual(got.echo, { metadata: { labels: { a: 'b' } } });
  const r = fake.seen[0];
  assert.equal(r.method, 'PATCH');
  assert.equal(r.url.pathname, '/api/v1/namespaces/default/pods/p');
  assert.equal(r.url.searchParams.get('fieldManager'), 'm');
  assert.equal(r.headers['content-type'], 'application/strategic-merge-patch+json');
  assert.match(r.headers['user-agent'] ?? '', /^k8ts-unit\/v1\.35\.0/);
  assert.equal(r.headers.authorization, undefined);
});

test('errors decode into StatusError: Status bodies and plain text', async () => {
  fake.handler = (_req, res) => sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', message: 'pods "x" not found', code: 404, details: { name: 'x', kind: 'pods' } });
  await assert.rejects(fake.client.get({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'x' }), (e: unknown) => {
    assert.ok(isNotFound(e));
    assert.equal((e as StatusError).message, 'pods "x" not found');
    assert.equal((e as StatusError).details?.name, 'x');
    return true;
  });
  fake.handler = (_req, res) => res.writeHead(409, { 'content-type': 'text/plain' }).end('conflict!');
  await assert.rejects(fake.client.create({ group: '', version: 'v1', resource: 'pods', namespace: 'default' }, {}), (e: unknown) => e instanceof StatusError && e.code === 409 && e.reason === 'Conflict');
  fake.handler = (_req, res) => sendJson(res, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
  await assert.rejects(fake.client.list({ group: '', version: 'v1', resource: 'pods' }), (e: unknown) => isGone(e));
});

test('429 with Retry-After is retried even for POST; 5xx only for idempotent verbs', async () => {
  let n = 0;
  fake.handler = (_req, res) => {
    n++;
    if (n === 1) {
      sendJson(res, 429, { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '0' });
    } else {
      sendJson(res, 201, { kind: 'Pod', metadata: { name: 'ok' } });
    }
  };
  assert.equal((await fake.client.create({ group: '', version: 'v1', resource: 'pods', namespace: 'default' }, {})).metadata.name, 'ok');
  assert.equal(n, 2);

  n = 0;
  fake.handler = (_req, res) => {
    n++;
    sendJson(res, 500, { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' });
  };
  await assert.rejects(fake.client.create({ group: '', version: 'v1', resource: 'pods', namespace: 'default' }, {}), (e: unknown) => (e as StatusError).code === 500);
  assert.equal(n, 1, 'POST is not retried on a bare 500');
  n = 0;
  await assert.rejects(fake.client.get({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'x' }), (e: unknown) => (e as StatusError).code === 500);
  assert.equal(n, 4, 'GET is retried maxRetries (3) times');
});

test('token bucket: burst, then qps (fake clock)', () => {
  let now = 0;
  const b = new TokenBucket(10, 2, () => now);
  assert.equal(b.reserve(), 0);
  assert.equal(b.reserve(), 0);
  assert.equal(b.reserve(), 100);
  assert.equal(b.tryTake(), false);
  now = 300;
  assert.equal(b.tryTake(), true, 'refilled by elapsed time');
  now = 10_000;
  assert.equal(b.reserve(), 0);
  assert.equal(b.reserve(), 0);
  assert.ok(b.reserve() > 0, 'never banks more than burst');
});

test('connection errors on GET are retried, then surface', async () => {
  const gone = await startFakeServer({ maxRetries: 1 });
  const client = gone.client;
  await gone.close();
  await assert.rejects(client.get({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'x' }), (e: unknown) => (e as NodeJS.ErrnoException).code === 'ECONNREFUSED');
});

test('subresource calls use the subresource path and verb', async () => {
  fake.seen.length = 0;
  fake.handler = (_req, res) => sendJson(res, 201, { kind: 'Status', status: 'Success' });
  await fake.client.subresource('POST', { group: '', version: 'v1', resource: 'pods', namespace: 'ns', name: 'p', subresource: 'binding' }, { target: { kind: 'Node', name: 'n1' } });
  assert.equal(fake.seen[0].method, 'POST');
  assert.equal(fake.seen[0].url.pathname, '/api/v1/namespaces/ns/pods/p/binding');
  assert.deepEqual(JSON.parse(fake.seen[0].body), { target: { kind: 'Node', name: 'n1' } });
});

test('non-JSON 2xx bodies come back as text', async () => {
  fake.handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  assert.equal(await fake.client.request<string>({ method: 'GET', path: '/healthz' }), 'ok');
});

test('requestWithoutResult: a 2xx answer is read to its end and dropped; an error answer still throws its StatusError', async () => {
  fake.handler = (req, res) => (req.url.pathname.endsWith('/bad') ? sendJson(res, 409, { kind: 'Status', code: 409, reason: 'Conflict', message: 'already bound' }) : sendJson(res, 201, { kind: 'Pod', big: 'x'.repeat(200_000) }));
  for (let i = 0; i < 3; i++) {
    assert.equal(await fake.client.requestWithoutResult({ method: 'POST', path: '/api/v1/namespaces/default/pods/ok', body: {} }), undefined);
  }
  await assert.rejects(fake.client.requestWithoutResult({ method: 'POST', path: '/api/v1/namespaces/default/pods/bad', body: {} }), (e: unknown) => e instanceof StatusError && e.code === 409 && e.message === 'already bound');
});
