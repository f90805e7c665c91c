/**
 * The official python client (Debian's python3-kubernetes 22.6) against a real apiserver: strict
 * response deserialization, bodies without apiVersion/kind, `watch=True`, subresources, errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';

const script = new URL('./fixtures/python-client.py', import.meta.url).pathname;
let server: TestApiServer;

before(async () => {
  server = await startApiServer();
});
after(async () => {
  await server?.stop();
});

test('python3-kubernetes: CRUD, 409/404 errors, watch, scale subresource', () => {
  // Debian's python, not a pyenv shim that lacks the package.
  const r = spawnSync('/usr/bin/python3', [script, server.kubeconfig, 'py-e2e'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `python exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    'namespaces True',
    'created py-pod Always',
    'conflict 409 Conflict',
    "listed ['py-pod']",
    "watch [('ADDED', 'py-pod'), ('MODIFIED', 'py-pod'), ('DELETED', 'py-pod')]",
    'deployment py-dep RollingUpdate 10',
    'scale 3',
    'notfound 404 Not Found',
  ]);
});
