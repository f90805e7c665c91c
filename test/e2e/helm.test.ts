/**
 * Real helm 4 against a real `k8ts apiserver`: install, list, status, upgrade, rollback,
 * uninstall of a local chart with a Deployment, Service, ConfigMap and a CRD. Helm stores
 * releases as protobuf-encoded Secrets and applies objects with server-side apply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { clientEnv, helm, kubectl, kubectlOk } from '../util/kubectl.ts';

const chart = new URL('../fixtures/chart', import.meta.url).pathname;

async function helmOk(env: ClientEnv, args: readonly string[]): Promise<string> {
  const r = await helm(env, args);
  if (r.code !== 0) {
    throw new Error(`helm ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r.stdout;
}

describe('real helm 4 against k8ts apiserver', () => {
  let server: Awaited<ReturnType<typeof startApiServer>>;
  let env: ClientEnv;
  before(async () => {
    server = await startApiServer({ backend: 'sqlite' });
    env = clientEnv(server.kubeconfig);
  });
  after(async () => {
    await server?.stop();
    env?.cleanup();
  });

  test('install creates every object and a deployed release', async () => {
    const out = await helmOk(env, ['install', 'demo', chart]);
    assert.match(out, /STATUS: deployed/);
    assert.match(out, /REVISION: 1/);
    assert.equal(await kubectlOk(env, ['get', 'cm', 'demo-config', '-o', 'jsonpath={.data.greeting}']), 'hello');
    assert.equal(await kubectlOk(env, ['get', 'deploy', 'demo-web', '-o', 'jsonpath={.metadata.annotations.meta\\.helm\\.sh/release-name}']), 'demo');
    assert.equal(await kubectlOk(env, ['get', 'svc', 'demo-web', '-o', 'jsonpath={.spec.ports[0].port}']), '80');
    assert.equal(await kubectlOk(env, ['get', 'crd', 'gadgets.demo.k8ts.dev', '-o', 'name']), 'customresourcedefinition.apiextensions.k8s.io/gadgets.demo.k8ts.dev\n');
    const secrets = await kubectlOk(env, ['get', 'secrets', '-l', 'owner=helm', '-o', 'jsonpath={.items[*].metadata.labels.status}']);
    assert.equal(secrets, 'deployed');
  });

  test('list and status', async () => {
    const list = await helmOk(env, ['list']);
    assert.match(list, /^demo\s+default\s+1\s+.*deployed\s+demo-0\.1\.0\s+1\.0/m);
    const status = await helmOk(env, ['status', 'demo']);
    assert.match(status, /NAME: demo/);
    assert.match(status, /STATUS: deployed/);
  });

  test('upgrade changes objects; rollback restores them', async () => {
    const up = await helmOk(env, ['upgrade', 'demo', chart, '--set', 'greeting=bonjour', '--set', 'replicas=2']);
    assert.match(up, /REVISION: 2/);
    assert.equal(await kubectlOk(env, ['get', 'cm', 'demo-config', '-o', 'jsonpath={.data.greeting}']), 'bonjour');
    assert.equal(await kubectlOk(env, ['get', 'deploy', 'demo-web', '-o', 'jsonpath={.spec.replicas}']), '2');
    await helmOk(env, ['rollback', 'demo', '1']);
    assert.equal(await kubectlOk(env, ['get', 'cm', 'demo-config', '-o', 'jsonpath={.data.greeting}']), 'hello');
    assert.equal(await kubectlOk(env, ['get', 'deploy', 'demo-web', '-o', 'jsonpath={.spec.replicas}']), '1');
    assert.match(await helmOk(env, ['list']), /^demo\s+default\s+3\s+/m);
  });

  test('uninstall removes the objects and the release', async () => {
    assert.match(await helmOk(env, ['uninstall', 'demo']), /release "demo" uninstalled/);
    const cm = await kubectl(env, ['get', 'cm', 'demo-config']);
    assert.equal(cm.code, 1);
    assert.match(cm.stderr, /NotFound/);
    assert.equal(await kubectlOk(env, ['get', 'secrets', '-l', 'owner=helm', '-o', 'name']), '');
    assert.doesNotMatch(await helmOk(env, ['list']), /demo/);
  });
});
