/**
 * The real-kubectl scenario of the API server issue, written once and run against each storage
 * backend (kubectl-sqlite.test.ts, kubectl-etcd.test.ts): every command runs the real kubectl
 * 1.35 binary against a real `k8ts apiserver` process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import { testApiClient } from '../util/http.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { clientEnv, kubectl, kubectlOk, kubectlPath } from '../util/kubectl.ts';

type Server = Awaited<ReturnType<typeof startApiServer>>;

const deployment = (replicas: number, image = 'nginx:1.27'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: Desired state of the widget.
            properties:
              size: {type: integer, minimum: 1, description: How big the widget is.}
              color: {type: string}
`;

/** Waits until `check` passes or `ms` elapse (polling the real server, not a timed assertion). */
async function eventually(check: () => Promise<void>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function kubectlScenario(backend: 'sqlite' | 'etcd3', startOpts: () => Promise<Parameters<typeof startApiServer>[0]>): void {
  describe(`real kubectl 1.35 against k8ts apiserver (${backend})`, () => {
    let server: Server;
    let env: ClientEnv;
    let work: string;
    const file = (name: string, text: string): string => {
      const p = join(work, name);
      writeFileSync(p, text);
      return p;
    };

    before(async () => {
      server = await startApiServer(await startOpts());
      env = clientEnv(server.kubeconfig);
      work = mkdtempSync(join(tmpdir(), 'k8ts-e2e-work-'));
    });
    after(async () => {
      await server?.stop();
      env?.cleanup();
      if (work !== undefined) {
        rmSync(work, { recursive: true, force: true });
      }
    });

    test('version reports server 1.35', async () => {
      const out = await kubectlOk(env, ['version', '-o', 'json']);
      const v = JSON.parse(out) as { serverVersion: { major: string; minor: string } };
      assert.equal(v.serverVersion.major, '1');
      assert.equal(v.serverVersion.minor, '35');
    });

    test('bootstrap objects exist: system namespaces, kubernetes Service, system PriorityClasses', async () => {
      assert.equal(await kubectlOk(env, ['get', 'ns', '-o', 'name']), 'namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n');
      assert.equal(await kubectlOk(env, ['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']), '10.96.0.1');
      assert.equal(await kubectlOk(env, ['get', 'priorityclass', '-o', 'name']), 'priorityclass.scheduling.k8s.io/system-cluster-critical\npriorityclass.scheduling.k8s.io/system-node-critical\n');
    });

    test('api-resources and api-versions come from discovery', async () => {
      const res = await kubectlOk(env, ['api-resources']);
      assert.match(res, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(res, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(res, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
      const versions = await kubectlOk(env, ['api-versions']);
      for (const gv of ['v1', 'apps/v1', 'batch/v1', 'coordination.k8s.io/v1', 'apiextensions.k8s.io/v1']) {
        assert.ok(versions.split('\n').includes(gv), `api-versions lacks ${gv}`);
      }
    });

    test('explain pod.spec.containers reads the OpenAPI v3 schema', async () => {
      const out = await kubectlOk(env, ['explain', 'pod.spec.containers']);
      assert.match(out, /KIND:\s+Pod/);
      assert.match(out, /FIELD:\s+containers <\[\]Container>/);
      assert.match(out, /image\s+<string>/);
    });

    test('create -f, then AlreadyExists on a second create', async () => {
      const f = file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n');
      assert.equal(await kubectlOk(env, ['create', '-f', f]), 'configmap/settings created\n');
      const again = await kubectl(env, ['create', '-f', f]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating ".*cm.yaml": configmaps "settings" already exists/);
    });

    test('apply twice: the second apply changes a field with a strategic merge patch', async () => {
      const f1 = file('deploy1.yaml', deployment(1));
      assert.equal(await kubectlOk(env, ['apply', '-f', f1]), 'deployment.apps/web created\n');
      const f3 = file('deploy3.yaml', deployment(3, 'nginx:1.28'));
      assert.equal(await kubectlOk(env, ['apply', '-f', f3]), 'deployment.apps/web configured\n');
      const obj = JSON.parse(await kubectlOk(env, ['get', 'deployment', 'web', '-o', 'json'])) as {
        metadata: { generation: number; annotations: Record<string, string> };
        spec: { replicas: number; template: { spec: { containers: { name: string; image: string; ports: unknown[] }[] } } };
      };
      assert.equal(obj.spec.replicas, 3);
      assert.equal(obj.spec.template.spec.containers.length, 1);
      assert.equal(obj.spec.template.spec.containers[0].image, 'nginx:1.28');
      assert.equal(obj.spec.template.spec.containers[0].ports.length, 1);
      assert.equal(obj.metadata.generation, 2);
      assert.match(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"replicas":3/);
      assert.equal(await kubectlOk(env, ['apply', '-f', f3]), 'deployment.apps/web unchanged\n');
    });

    test('apply --server-side, and a conflict with another manager', async () => {
      const f = file('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  owner: first\n');
      assert.equal(await kubectlOk(env, ['apply', '--server-side', '-f', f]), 'configmap/ssa serverside-applied\n');
      const other = file('ssa2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  owner: second\n');
      const conflict = await kubectl(env, ['apply', '--server-side', '--field-manager', 'other', '-f', other]);
      assert.equal(conflict.code, 1);
      assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.data\.owner/);
      assert.equal(await kubectlOk(env, ['apply', '--server-side', '--force-conflicts', '--field-manager', 'other', '-f', other]), 'configmap/ssa serverside-applied\n');
      assert.equal(await kubectlOk(env, ['get', 'cm', 'ssa', '-o', 'jsonpath={.data.owner}']), 'second');
    });

    test('get in every output form', async () => {
      for (const name of ['b-pod', 'a-pod']) {
        await kubectlOk(env, ['run', name, '--image=busybox', '--labels=tier=fe,name=' + name, '--restart=Never']);
      }
      const table = await kubectlOk(env, ['get', 'pods']);
      assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
      assert.match(table, /^a-pod\s+0\/1\s+Pending\s+0\s+\d+s$/m);
      const wide = await kubectlOk(env, ['get', 'pods', '-o', 'wide']);
      assert.match(wide, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
      const asYaml = await kubectlOk(env, ['get', 'pod', 'a-pod', '-o', 'yaml']);
      assert.match(asYaml, /^apiVersion: v1\nkind: Pod\n/);
      const list = JSON.parse(await kubectlOk(env, ['get', 'pods', '-o', 'json'])) as { kind: string; items: { metadata: { name: string } }[] };
      assert.equal(list.kind, 'List');
      assert.deepEqual(list.items.map((i) => i.metadata.name).sort(), ['a-pod', 'b-pod']);
      assert.equal(await kubectlOk(env, ['get', 'pods', '-o', 'name']), 'pod/a-pod\npod/b-pod\n');
      assert.equal(await kubectlOk(env, ['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']), 'a-pod b-pod');
      assert.equal(await kubectlOk(env, ['get', 'pods', '-o', 'custom-columns=N:.metadata.name,T:.metadata.labels.tier']), 'N       T\na-pod   fe\nb-pod   fe\n');
      const all = await kubectlOk(env, ['get', 'pods', '-A']);
      assert.match(all, /^NAMESPACE\s+NAME\s+READY/);
      assert.match(all, /^default\s+a-pod\s+/m);
      const labels = await kubectlOk(env, ['get', 'pods', '--show-labels']);
      assert.match(labels, /^a-pod\s+.*\s+name=a-pod,tier=fe$/m);
      const sorted = await kubectlOk(env, ['get', 'pods', '--sort-by=.metadata.name', '-o', 'name']);
      assert.equal(sorted, 'pod/a-pod\npod/b-pod\n');
      assert.equal(await kubectlOk(env, ['get', 'pods', '-l', 'name=b-pod', '-o', 'name']), 'pod/b-pod\n');
      assert.equal(await kubectlOk(env, ['get', 'pods', '-l', 'name in (a-pod)', '-o', 'name']), 'pod/a-pod\n');
      assert.equal(await kubectlOk(env, ['get', 'pods', '--field-selector', 'metadata.name=a-pod', '-o', 'name']), 'pod/a-pod\n');
      assert.equal(await kubectlOk(env, ['get', 'pods', '--field-selector', 'status.phase=Running', '-o', 'name']), '');
      const chunked = await kubectlOk(env, ['get', 'pods', '--chunk-size=1', '-o', 'name']);
      assert.equal(chunked, 'pod/a-pod\npod/b-pod\n');
    });

    test('get -w sees live changes', async () => {
      const child = spawn(kubectlPath, ['get', 'configmaps', '-w', '--output-watch-events'], { env: { PATH: process.env.PATH ?? '', HOME: env.home, KUBECONFIG: env.kubeconfig } });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      try {
        await eventually(async () => assert.match(out, /settings/));
        await kubectlOk(env, ['create', 'configmap', 'watched', '--from-literal=k=v']);
        await eventually(async () => assert.match(out, /ADDED\s+watched/));
        await kubectlOk(env, ['delete', 'configmap', 'watched']);
        await eventually(async () => assert.match(out, /DELETED\s+watched/));
      } finally {
        child.kill();
      }
    });

    test('describe, label, annotate', async () => {
      assert.equal(await kubectlOk(env, ['label', 'pod', 'a-pod', 'stage=test']), 'pod/a-pod labeled\n');
      assert.equal(await kubectlOk(env, ['annotate', 'pod', 'a-pod', 'note=hello']), 'pod/a-pod annotated\n');
      const d = await kubectlOk(env, ['describe', 'pod', 'a-pod']);
      assert.match(d, /^Name:\s+a-pod$/m);
      assert.match(d, /^Namespace:\s+default$/m);
      assert.match(d, /stage=test/);
      assert.match(d, /note: hello/);
      const nope = await kubectl(env, ['describe', 'pod', 'nope']);
      assert.equal(nope.code, 1);
      assert.match(nope.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    });

    test('patch with merge, json and strategic patches', async () => {
      await kubectlOk(env, ['patch', 'configmap', 'settings', '--type=merge', '-p', '{"data":{"b":"2"}}']);
      await kubectlOk(env, ['patch', 'configmap', 'settings', '--type=json', '-p', '[{"op":"remove","path":"/data/a"}]']);
      assert.equal(await kubectlOk(env, ['get', 'cm', 'settings', '-o', 'jsonpath={.data}']), '{"b":"2"}');
      await kubectlOk(env, ['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
      const names = await kubectlOk(env, ['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].name}']);
      assert.deepEqual(names.split(' ').sort(), ['nginx', 'sidecar']);
      const bad = await kubectl(env, ['patch', 'configmap', 'settings', '--type=json', '-p', '[{"op":"test","path":"/data/b","value":"nope"}]']);
      assert.equal(bad.code, 1);
    });

    test('scale through the scale subresource', async () => {
      assert.equal(await kubectlOk(env, ['scale', 'deployment', 'web', '--replicas=5']), 'deployment.apps/web scaled\n');
      assert.equal(await kubectlOk(env, ['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '5');
    });

    test('diff shows the change, then nothing after apply', async () => {
      const f = file('deploy-diff.yaml', deployment(2, 'nginx:1.29'));
      const d = await kubectl(env, ['diff', '-f', f], { cwd: work });
      assert.equal(d.code, 1, d.stderr);
      assert.match(d.stdout, /-\s+replicas: 5\n\+\s+replicas: 2/);
    });

    test('dry-run=server validates and persists nothing; auth whoami and can-i', async () => {
      const f = file('dry.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\ndata:\n  a: "1"\n');
      assert.equal(await kubectlOk(env, ['apply', '--dry-run=server', '-f', f]), 'configmap/dry created (server dry run)\n');
      const gone = await kubectl(env, ['get', 'cm', 'dry']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /configmaps "dry" not found/);
      assert.match(await kubectlOk(env, ['auth', 'whoami']), /Username\s+kubernetes-admin/);
      assert.equal(await kubectlOk(env, ['auth', 'can-i', 'create', 'pods']), 'yes\n');
    });

    test('create namespace, and namespaced objects in it', async () => {
      assert.equal(await kubectlOk(env, ['create', 'namespace', 'team-a']), 'namespace/team-a created\n');
      await kubectlOk(env, ['create', 'configmap', 'x', '-n', 'team-a', '--from-literal=a=b']);
      assert.equal(await kubectlOk(env, ['get', 'cm', '-n', 'team-a', 'x', '-o', 'name']), 'configmap/x\n');
      const missing = await kubectl(env, ['create', 'configmap', 'y', '-n', 'no-such-ns']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /namespaces "no-such-ns" not found/);
    });

    test('invalid objects get upstream 422 messages', async () => {
      const f = file('bad.yaml', deployment(-1).replace('name: web', 'name: invalid-one'));
      const r = await kubectl(env, ['create', '-f', f]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /The Deployment "invalid-one" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
      const strict = file('unknown.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\nbogus: 1\n');
      const s = await kubectl(env, ['create', '-f', strict]);
      assert.equal(s.code, 1);
      assert.match(s.stderr, /unknown field "bogus"/);
    });

    test('a CRD serves its custom objects: CRUD, -w, explain, schema validation', async () => {
      await kubectlOk(env, ['apply', '-f', file('crd.yaml', crd)]);
      await kubectlOk(env, ['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s']);
      const w = file('w.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n  color: red\n');
      await eventually(async () => assert.equal(await kubectlOk(env, ['apply', '-f', w]), 'widget.example.com/w1 created\n'));
      assert.match(await kubectlOk(env, ['get', 'widgets']), /^w1\s+\d+s$/m);
      const watcher = spawn(kubectlPath, ['get', 'widgets', '-w', '-o', 'name'], { env: { PATH: process.env.PATH ?? '', HOME: env.home, KUBECONFIG: env.kubeconfig } });
      let watched = '';
      watcher.stdout.setEncoding('utf8').on('data', (d: string) => (watched += d));
      try {
        await eventually(async () => assert.match(watched, /widget.example.com\/w1/));
        await kubectlOk(env, ['apply', '-f', file('w3.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w3\nspec:\n  size: 1\n')]);
        await eventually(async () => assert.match(watched, /widget.example.com\/w3/));
      } finally {
        watcher.kill();
      }
      assert.equal(await kubectlOk(env, ['get', 'wd', 'w1', '-o', 'jsonpath={.spec.size}']), '3');
      const wBlue = file('w-blue.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n  color: blue\n');
      assert.equal(await kubectlOk(env, ['apply', '-f', wBlue]), 'widget.example.com/w1 configured\n');
      assert.equal(await kubectlOk(env, ['get', 'widget', 'w1', '-o', 'jsonpath={.spec.color}']), 'blue');
      await kubectlOk(env, ['patch', 'widget', 'w1', '--type=merge', '-p', '{"spec":{"size":4}}']);
      assert.equal(await kubectlOk(env, ['get', 'widget', 'w1', '-o', 'jsonpath={.spec.size}']), '4');
      const bad = file('wbad.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w2\nspec:\n  size: 0\n');
      const r = await kubectl(env, ['apply', '-f', bad]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1/);
      const ex = await kubectlOk(env, ['explain', 'widget.spec']);
      assert.match(ex, /size\s+<integer>/);
      assert.match(ex, /How big the widget is/);
      assert.equal(await kubectlOk(env, ['delete', 'widget', 'w1']), 'widget.example.com "w1" deleted from default namespace\n');
    });

    test('delete with propagation, and wait --for=delete', async () => {
      assert.match(await kubectlOk(env, ['delete', 'deployment', 'web', '--cascade=background']), /deployment.apps "web" deleted/);
      await kubectlOk(env, ['wait', '--for=delete', 'deployment/web', '--timeout=20s']);
      const gone = await kubectl(env, ['get', 'deployment', 'web']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /deployments.apps "web" not found/);
    });

    test('anonymous requests are refused except health and version', async () => {
      const anon = testApiClient(server.url, server.kubeconfig, undefined);
      const badToken = testApiClient(server.url, server.kubeconfig, 'not-a-token');
      try {
        const r = await anon.request('GET', '/api/v1/namespaces');
        assert.equal(r.status, 401);
        assert.equal(r.json<{ reason: string }>().reason, 'Unauthorized');
        for (const path of ['/version', '/healthz', '/livez', '/readyz']) {
          assert.equal((await anon.request('GET', path)).status, 200, path);
        }
        assert.equal((await badToken.request('GET', '/api')).status, 401);
      } finally {
        anon.close();
        badToken.close();
      }
    });
  });
}
