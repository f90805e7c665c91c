/**
 * k8ts kubectl vs real kubectl 1.35 on the same apiserver: get (every output form, errors,
 * several kinds, categories, selectors, paging), api-resources, api-versions, cluster-info,
 * version, config verbs on a temp kubeconfig, flag errors and help. Each command runs with both
 * binaries (same HOME, same KUBECONFIG) and must agree on stdout, stderr and exit code after
 * normalising ages, uids, timestamps and resourceVersions.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { compareKubectl, oursKubectl } from '../util/kubectl-compare.ts';
import type { CompareOptions } from '../util/kubectl-compare.ts';

const manifest = `apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, labels: {app: web, tier: fe}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-1, namespace: other, labels: {app: db}}
spec: {containers: [{name: c, image: postgres}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {long: "${'word '.repeat(30)}", multi: "a\\nb", quoted: "true"}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size}
`;

let server: TestApiServer;
let env: ClientEnv;
let dir: string;

async function same(args: readonly string[], opts?: CompareOptions): Promise<void> {
  const r = await compareKubectl(env, args, opts);
  assert.equal(r.equal, true, r.diff);
}

before(async () => {
  server = await startApiServer();
  dir = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-get-'));
  env = clientEnv(server.kubeconfig);
  writeFileSync(join(dir, 'objs.yaml'), manifest);
  await kubectlOk(env, ['apply', '-f', join(dir, 'objs.yaml')]);
  // The CRD must be established before its custom resource can be created.
  await kubectlOk(env, ['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=60s']);
  await kubectlOk(env, ['apply', '-f', '-'], { stdin: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: big}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\n' });
});

after(async () => {
  env?.cleanup();
  if (dir !== undefined) {
    rmSync(dir, { recursive: true, force: true });
  }
  await server?.stop();
});

// Read-only comparisons run two at a time (each pair of runs is sequential; the discovery cache writes are atomic).
describe('get', { concurrency: 2 }, () => {
  const matrix: string[][] = [
    ['get', 'pods'],
    ['get', 'pods,svc'],
    ['get', 'all'],
    ['get', 'pods', '-A', '--show-labels', '-L', 'app,tier'],
    ['get', 'pods', '-L', 'app', '-L', 'tier'],
    ['get', 'pods', '-o', 'wide'],
    ['get', 'pods', '-o', 'name'],
    ['get', 'pods', '-o', 'yaml'],
    ['get', 'pods', '-o', 'json'],
    ['get', 'pod', 'web-1', '-o', 'yaml'],
    ['get', 'pod/web-1', '-o', 'json'],
    ['get', 'pods', 'web-1', 'web-2', '-o', 'yaml'],
    ['get', 'cm', 'settings', '-o', 'yaml'],
    ['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}'],
    ['get', 'pods', '-o', 'go-template={{range .items}}{{.metadata.name}} {{end}}'],
    ['get', 'pods,svc', '--no-headers'],
    ['get', 'pods', '--show-kind'],
    ['get', 'pods', '-l', 'app=nope'],
    ['get', 'pods', '-l', 'app=nope', '-o', 'yaml'],
    ['get', 'pods', '--field-selector', 'metadata.name=web-1'],
    ['get', 'pods', '--chunk-size=1'],
    ['get', 'pods', 'web-1', 'nope', 'web-2'],
    ['get', 'pods', 'nope', '-o', 'yaml'],
    ['get', 'pods', 'web-1', 'nope', '-o', 'name'],
    ['get', 'pods', 'nope', '--ignore-not-found'],
    ['get', 'pods', 'web-1', 'svc/web'],
    ['get', 'pods', '-l', 'app=web', 'web-1'],
    ['get', 'nodes'],
    ['get', '-n', 'other', 'pods'],
    ['get', 'Pod'],
    ['get', 'deployments.apps'],
    ['get', 'deploy.v1.apps', 'web', '-o', 'yaml'],
    ['get', 'crd'],
    ['get', 'wd'],
    ['get', 'widgets.example.com', 'w1', '-o', 'yaml'],
    ['get', 'foo'],
    ['get'],
    ['get', 'pods', '-o', 'foo'],
    ['get', 'pods', '--chunk-size=x'],
    ['get', 'pods', '--foo'],
    ['get', '--help'],
    // Watches end when the server closes them at --request-timeout; nothing changes meanwhile.
    ['get', 'pods', '-w', '--request-timeout=2s'],
    ['get', 'pod', 'web-1', '-w', '--request-timeout=2s'],
    ['get', 'pods', '--watch-only', '--request-timeout=2s'],
  ];
  for (const args of matrix) {
    test(args.join(' '), () => same(args));
  }
  test('get -f FILE', () => same(['get', '-f', join(dir, 'objs.yaml')]));
  test('get -f - (stdin)', () => same(['get', '-f', '-', '-o', 'name'], { stdin: readFileSync(join(dir, 'objs.yaml'), 'utf8') }));
});

describe('discovery and other verbs', { concurrency: 2 }, () => {
  for (const args of [
    ['api-resources'],
    ['api-resources', '-o', 'wide'],
    ['api-resources', '-o', 'name'],
    ['api-resources', '--api-group=apps'],
    ['api-resources', '--verbs=list,get'],
    ['api-resources', '--sort-by=name', '--no-headers'],
    ['api-versions'],
    ['cluster-info'],
    ['version', '-o', 'foo'],
    ['gt'],
    ['--foo'],
    [],
  ]) {
    test(args.join(' ') || '(no arguments)', () => same(args));
  }

  test('version: only the client version line differs (k8ts has no kustomize inside)', async () => {
    const r = await compareKubectl(env, ['version']);
    assert.match(r.real.stdout, /^Kustomize Version: /m);
    assert.equal(r.realNormalized.stdout.replace(/^Kustomize Version: .*\n/m, ''), r.oursNormalized.stdout);
    assert.equal(r.real.code, r.ours.code);
    assert.match(r.ours.stdout, /^Client Version: v1\.35\.0-k8ts$/m);
  });

  test('discovery cache: ours writes upstream-format files that real kubectl then uses', async () => {
    const fresh = clientEnv(server.kubeconfig);
    try {
      const ours = await oursKubectl(fresh, ['get', 'pods', '-o', 'name']);
      assert.equal(ours.code, 0, ours.stderr);
      const cache = join(fresh.home, '.kube', 'cache', 'discovery', `127.0.0.1_${server.port}`);
      assert.ok(existsSync(join(cache, 'servergroups.json')));
      const apps = JSON.parse(readFileSync(join(cache, 'apps', 'v1', 'serverresources.json'), 'utf8')) as { kind: string; resources: { name: string }[] };
      assert.equal(apps.kind, 'APIResourceList');
      assert.ok(apps.resources.some((r) => r.name === 'deployments'));
      const real = await kubectl(fresh, ['get', 'pods', '-o', 'name']);
      assert.equal(real.stdout, ours.stdout);
    } finally {
      fresh.cleanup();
    }
  });
});

describe('config', () => {
  let kc: string;
  let template: string;
  let cfgEnv: ClientEnv;
  const reset = async (): Promise<void> => {
    copyFileSync(template, kc);
  };
  before(async () => {
    kc = join(dir, 'kubeconfig');
    template = join(dir, 'kubeconfig.template');
    copyFileSync(server.kubeconfig, template);
    // The starting point, written by real kubectl: three contexts' worth of clusters/users/contexts.
    const setupEnv: ClientEnv = { kubeconfig: template, home: env.home, cleanup: () => undefined };
    for (const args of [
      ['config', 'set-context', 'foo', '--cluster=k8ts', '--user=k8ts', '--namespace=other'],
      ['config', 'set-credentials', 'u2', '--token=abc'],
      ['config', 'set-cluster', 'c2', '--server=https://1.2.3.4:6443', '--insecure-skip-tls-verify=true'],
    ]) {
      await kubectlOk(setupEnv, args);
    }
    cfgEnv = { kubeconfig: kc, home: env.home, cleanup: () => undefined };
  });

  /** Runs both, resetting the kubeconfig before each, and compares outputs and the resulting files. */
  async function sameConfig(args: readonly string[]): Promise<void> {
    await reset();
    let realFile = '';
    const r = await compareKubectl(cfgEnv, args, {
      between: async () => {
        realFile = readFileSync(kc, 'utf8');
        await reset();
      },
    });
    assert.equal(r.equal, true, r.diff);
    assert.equal(readFileSync(kc, 'utf8'), realFile, 'the kubeconfig files written differ');
  }

  test('exec credential plugin (client.authentication.k8s.io/v1): working and missing plugin', async () => {
    const plugin = join(dir, 'plugin.sh');
    writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${server.token}"}}'\n`, { mode: 0o755 });
    await reset();
    const exec = (command: string): string =>
      `  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${command}\n      interactiveMode: Never\n`;
    const text = readFileSync(kc, 'utf8').replace(/^users:\n/m, `users:\n- name: ex\n${exec(plugin)}- name: bad\n${exec(join(dir, 'nonexistent'))}`);
    writeFileSync(kc, text);
    for (const args of [
      ['config', 'set-context', 'ex', '--cluster=k8ts', '--user=ex'],
      ['config', 'set-context', 'bad', '--cluster=k8ts', '--user=bad'],
    ]) {
      await kubectlOk(cfgEnv, args);
    }
    for (const args of [
      ['--context', 'ex', 'get', 'ns', '-o', 'name'],
      ['--context', 'bad', 'get', 'ns'],
    ]) {
      const r = await compareKubectl(cfgEnv, args);
      assert.equal(r.equal, true, r.diff);
    }
  });

  for (const args of [
    ['config', 'view'],
    ['config', 'view', '--raw'],
    ['config', 'view', '-o', 'json'],
    ['config', 'view', '--minify'],
    ['config', 'view', '-o', 'jsonpath={.contexts[*].name}'],
    ['config', 'get-contexts'],
    ['config', 'get-contexts', '-o', 'name'],
    ['config', 'get-contexts', 'nope'],
    ['config', 'current-context'],
    ['config', 'use-context', 'foo'],
    ['config', 'use-context', 'nope'],
    ['config', 'set-context', 'bar', '--cluster=c2'],
    ['config', 'set-context', '--current', '--namespace=x'],
    ['config', 'set-context'],
    ['config', 'set-cluster', 'c3', '--server=https://9.9.9.9'],
    ['config', 'set-credentials', 'u3', '--username=a', '--password=b'],
    ['config', 'delete-context', 'foo'],
    ['config', 'delete-context', 'nope'],
    // Not compared: `config get-clusters`/`get-users` — kubectl prints them in Go map order (random between runs).
    ['config', 'rename-context', 'foo', 'foo2'],
    ['config'],
    ['config', 'foo'],
    ['config', 'use-context', '-h'],
    ['--context', 'foo', 'get', 'pods'],
    ['--context', 'nope', 'get', 'pods'],
    ['--user', 'nope', 'get', 'pods'],
  ]) {
    test(args.join(' '), () => sameConfig(args));
  }
});
