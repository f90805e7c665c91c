/**
 * OpenAPI v2 as protobuf, judged by the real kubectl 1.35: `get -o yaml` of several objects
 * prints a `kind: List`; applying that file with client-side validation on needs the gnostic
 * protobuf document from /openapi/v2 (kubectl asks for nothing else).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';

let server: TestApiServer;
let dataDir: string;
let env: ClientEnv;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'k8ts-openapi-v2-'));
  server = await startApiServer({ dataDir });
  env = clientEnv(server.kubeconfig);
});

after(async () => {
  env?.cleanup();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('kubectl apply -f of a kind: List from get -o yaml passes client-side validation', async () => {
  await kubectlOk(env, ['create', 'configmap', 'settings', '--from-literal=mode=fast']);
  await kubectlOk(env, ['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
  await kubectlOk(env, ['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
  const listed = await kubectlOk(env, ['get', 'configmap/settings', 'deployment/web', 'service/web', '-o', 'yaml']);
  assert.match(listed, /^kind: List$/m);
  const file = join(dataDir, 'list.yaml');
  await writeFile(file, listed.replace('mode: fast', 'mode: slow'));
  const applied = await kubectl(env, ['apply', '--validate=true', '-f', file, '-v=6']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stderr, /verb="GET" url="https:\/\/[^"]+\/openapi\/v2\?timeout=\d+s" status="200 OK"/);
  assert.match(applied.stdout, /^configmap\/settings configured$/m);
  assert.match(applied.stdout, /^deployment.apps\/web (configured|unchanged)$/m);
  assert.equal(await kubectlOk(env, ['get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}']), 'slow');
  // Validation stays on: an unknown field in a List item is still refused.
  await writeFile(file, listed.replace('replicas: 2', 'replicas: 2\n    replicaz: 3'));
  const bad = await kubectl(env, ['apply', '--validate=true', '-f', file]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /replicaz/);
});
