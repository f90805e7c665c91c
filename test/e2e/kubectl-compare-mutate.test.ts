/**
 * K3's matrix: each mutating command (create and its generators, apply, delete, label,
 * annotate, scale, patch, replace) runs once with real kubectl 1.35 and once with
 * `k8ts kubectl` against one apiserver, from the same starting state (set up and torn down
 * in-process between the runs). Normalised stdout, stderr and exit code must agree, and so
 * must the objects each run left behind (spec, labels, annotations, field managers).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/rest.ts';
import type { ResourceRef } from '../../src/client/paths.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { lineDiff, normalizeKubectlText, oursKubectl } from '../util/kubectl-compare.ts';
import { chmodSync } from 'node:fs';
import { k8tsPath } from '../util/kubectl-compare.ts';
import { clientEnv, kubectl, kubectlPath, runTool } from '../util/kubectl.ts';
import type { ClientEnv, RunResult } from '../util/kubectl.ts';

type Obj = Record<string, unknown>;

const deployment = (replicas: number, image = 'nginx:1.27', extraLabel = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
  labels: {app: demo${extraLabel}}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;

const configMaps = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-a
  labels: {set: files}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-b
  labels: {set: files}
data: {b: "2"}
`;

const DEPLOY: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name: 'demo' };
const cm = (name: string): ResourceRef => ({ group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name });
const ref = (resource: string, name: string, group = '', namespace: string | undefined = 'default'): ResourceRef => ({ group, version: 'v1', resource, namespace, name });

/** Removes the copies `kubectl edit` preserves in the temp dir (named in its stderr) and hides their random names. */
function preservedCopies(text: string): string {
  for (const m of text.matchAll(/stored to "([^"]+kubectl-edit-\d+\.yaml)"/g)) {
    rmSync(m[1] ?? '', { force: true });
  }
  return text.replace(/kubectl-edit-\d+\.yaml/g, 'kubectl-edit-<n>.yaml');
}

/** One command of the matrix. */
interface Case {
  readonly args: readonly string[];
  readonly stdin?: string;
  /** Extra environment (EDITOR) for both runs. */
  readonly env?: Readonly<Record<string, string>>;
  /** Brings the cluster into the starting state (before each of the two runs). */
  readonly setup?: (c: RestClient) => Promise<void>;
  /** Objects whose state after the run must match between the two runs. */
  readonly objects?: readonly ResourceRef[];
}

function strip(obj: Obj): Obj {
  const meta = { ...((obj.metadata ?? {}) as Obj) };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation']) {
    delete meta[k];
  }
  if (Array.isArray(meta.managedFields)) {
    // entries are ordered by their (second-granular) times, which differ between two runs
    meta.managedFields = (meta.managedFields as Obj[]).map(({ time: _time, ...rest }) => rest).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return { ...obj, metadata: meta };
}

async function snapshot(c: RestClient, refs: readonly ResourceRef[]): Promise<string> {
  const parts: string[] = [];
  for (const r of refs) {
    try {
      // the service-account token volume gets a random suffix on each create
      parts.push(JSON.stringify(strip((await c.get(r)) as unknown as Obj), null, 1).replace(/kube-api-access-[a-z0-9]{5}/g, 'kube-api-access-<x>').replace(/"10\.\d+\.\d+\.\d+"/g, '"<cluster-ip>"'));
    } catch (e) {
      parts.push(`${r.resource}/${r.name}: ${(e as Error).message}`);
    }
  }
  return parts.join('\n');
}

/** Deletes objects and waits until they are gone (no controllers run here, so deletion is immediate). */
async function remove(c: RestClient, refs: readonly ResourceRef[]): Promise<void> {
  for (const r of refs) {
    await c.delete(r).catch(() => undefined);
  }
}

function norm(r: RunResult): RunResult {
  return { code: r.code, stdout: normalizeKubectlText(r.stdout), stderr: normalizeKubectlText(r.stderr) };
}

describe('kubectl mutating verbs: k8ts kubectl vs kubectl 1.35', { timeout: 900_000 }, () => {
  let server: TestApiServer;
  let env: ClientEnv;
  let client: RestClient;
  let dir: string;
  /** Every object a case may leave behind: removed before each run. */
  const scratch: ResourceRef[] = [
    DEPLOY,
    cm('cm-a'),
    cm('cm-b'),
    cm('lit'),
    ref('secrets', 'sec'),
    ref('services', 'svc'),
    ref('serviceaccounts', 'robot'),
    ref('services', 'demo'),
    ref('pods', 'runner'),
    { group: 'batch', version: 'v1', resource: 'jobs', namespace: 'default', name: 'once' },
    { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', namespace: 'default', name: 'reader' },
    { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespace: 'default', name: 'read-it' },
  ];

  const run = async (c: Case): Promise<void> => {
    const results: { out: RunResult; objs: string }[] = [];
    for (const which of ['real', 'ours'] as const) {
      await remove(client, scratch);
      await c.setup?.(client);
      const opts = { stdin: c.stdin, cwd: dir, timeoutMs: 60_000 };
      let out: RunResult;
      if (c.env !== undefined) {
        const raw = which === 'real' ? await runTool(kubectlPath, env, c.args, { extraEnv: c.env, cwd: dir }) : await runTool(k8tsPath, env, ['kubectl', ...c.args], { extraEnv: c.env, cwd: dir });
        out = { ...raw, stderr: preservedCopies(raw.stderr) };
      } else {
        out = which === 'real' ? await kubectl(env, c.args, opts) : await oursKubectl(env, c.args, opts);
      }
      results.push({ out: norm(out), objs: await snapshot(client, c.objects ?? []) });
    }
    const [real, ours] = results as [{ out: RunResult; objs: string }, { out: RunResult; objs: string }];
    const problems: string[] = [];
    if (real.out.code !== ours.out.code) {
      problems.push(`exit code: real ${real.out.code}, ours ${ours.out.code}`);
    }
    if (real.out.stdout !== ours.out.stdout) {
      problems.push(`stdout (- real, + ours):\n${lineDiff(real.out.stdout, ours.out.stdout)}`);
    }
    if (real.out.stderr !== ours.out.stderr) {
      problems.push(`stderr (- real, + ours):\n${lineDiff(real.out.stderr, ours.out.stderr)}`);
    }
    if (real.objs !== ours.objs) {
      problems.push(`objects (- real, + ours):\n${lineDiff(real.objs, ours.objs)}`);
    }
    assert.equal(problems.join('\n'), '', `kubectl ${c.args.join(' ')}`);
  };

  const createDeploy = (manifest: string, annotate = true) => async (c: RestClient): Promise<void> => {
    const { parse } = await import('yaml');
    const obj = parse(manifest) as Obj;
    if (annotate) {
      const meta = obj.metadata as Obj;
      meta.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify({ ...obj, metadata: { ...meta, annotations: {}, namespace: 'default' } })}\n` };
    }
    await c.create({ ...DEPLOY, name: undefined }, obj, { fieldManager: 'kubectl-client-side-apply' });
  };

  before(async () => {
    server = await startApiServer();
    env = clientEnv(server.kubeconfig);
    client = await RestClient.fromKubeconfig(server.kubeconfig);
    dir = mkdtempSync(join(tmpdir(), 'k8ts-mutate-'));
    writeFileSync(join(dir, 'd1.yaml'), deployment(1));
    writeFileSync(join(dir, 'd3.yaml'), deployment(3, 'nginx:1.28', ', tier: web'));
    writeFileSync(join(dir, 'cms.yaml'), configMaps);
    writeFileSync(join(dir, 'env.txt'), 'a=1\n# comment\nb=2\n');
    // editors for `kubectl edit`: one valid change, one the server rejects (re-opened, then given up)
    writeFileSync(join(dir, 'scale-up.sh'), '#!/bin/sh\nsed -i "s/^  replicas: .*/  replicas: 7/" "$1"\n');
    writeFileSync(join(dir, 'negative.sh'), '#!/bin/sh\nsed -i "s/^  replicas: .*/  replicas: -5/" "$1"\n');
    for (const f of ['scale-up.sh', 'negative.sh']) {
      chmodSync(join(dir, f), 0o755);
    }
  });

  after(async () => {
    client?.close();
    env?.cleanup();
    if (dir !== undefined) {
      rmSync(dir, { recursive: true, force: true });
    }
    await server?.stop();
  });

  test('create generators (client dry run, offline shapes)', async () => {
    await run({ args: ['create', 'deployment', 'web', '--image=nginx', '--image=busybox', '--replicas=3', '--port=80', '--dry-run=client', '-o', 'yaml'] });
    await run({ args: ['create', 'secret', 'generic', 'sec', '--from-literal=a=1', '--from-file=k=env.txt', '--dry-run=client', '-o', 'json'] });
    await run({ args: ['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--dry-run=client', '-o', 'yaml', '--', 'date'] });
    await run({ args: ['create', 'clusterrolebinding', 'crb', '--clusterrole=view', '--user=u1', '--serviceaccount=default:robot', '--dry-run=client', '-o', 'yaml'] });
  });

  test('create generators against the server', async () => {
    await run({ args: ['create', 'deployment', 'demo', '--image=nginx:1.27'], objects: [DEPLOY] });
    await run({ args: ['create', 'deployment', 'demo', '--image=nginx:1.27'], setup: createDeploy(deployment(1)) });
    await run({ args: ['create', 'configmap', 'lit', '--from-literal=a=1', '--from-literal=b=two'], objects: [cm('lit')] });
    await run({ args: ['create', 'rolebinding', 'read-it', '--role=reader', '--user=alice', '--group=devs'], objects: [{ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespace: 'default', name: 'read-it' }] });
  });

  test('create errors', async () => {
    await run({ args: ['create', 'deployment', 'x'] });
    await run({ args: ['create', 'namespace'] });
  });

  test('create -f', async () => {
    await run({ args: ['create', '-f', 'd1.yaml'], objects: [DEPLOY] });
    await run({ args: ['create', '-f', 'd1.yaml'], setup: createDeploy(deployment(1)) });
    await run({ args: ['create', '-f', 'cms.yaml', '--save-config'], objects: [cm('cm-a'), cm('cm-b')] });
    await run({ args: ['create', '-f', '-', '-o', 'name'], stdin: configMaps, objects: [cm('cm-a'), cm('cm-b')] });
  });

  test('apply (client side)', async () => {
    await run({ args: ['apply', '-f', 'd1.yaml'], objects: [DEPLOY] });
    await run({ args: ['apply', '-f', 'd1.yaml'], setup: createDeploy(deployment(1)), objects: [DEPLOY] });
    await run({ args: ['apply', '-f', 'd3.yaml'], setup: createDeploy(deployment(1)), objects: [DEPLOY] });
    await run({ args: ['apply', '-f', 'd1.yaml'], setup: createDeploy(deployment(3, 'nginx:1.28', ', tier: web')), objects: [DEPLOY] });
    await run({ args: ['apply', '-f', 'd3.yaml'], setup: createDeploy(deployment(1), false), objects: [DEPLOY] });
  });

  test('apply --server-side', async () => {
    await run({ args: ['apply', '--server-side', '-f', 'd1.yaml'], objects: [DEPLOY] });
    await run({ args: ['apply', '--server-side', '-f', 'd3.yaml'], setup: createDeploy(deployment(1)), objects: [DEPLOY] });
    await run({ args: ['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', 'd3.yaml'], setup: createDeploy(deployment(1)), objects: [DEPLOY] });
  });

  test('delete', async () => {
    const twoMaps = async (c: RestClient): Promise<void> => {
      await c.create({ ...cm('x'), name: undefined }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-a', labels: { set: 'files' } } });
      await c.create({ ...cm('x'), name: undefined }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-b', labels: { set: 'files' } } });
    };
    await run({ args: ['delete', 'deployment', 'demo'], setup: createDeploy(deployment(1)), objects: [DEPLOY] });
    await run({ args: ['delete', '-f', 'cms.yaml'], setup: twoMaps, objects: [cm('cm-a'), cm('cm-b')] });
    await run({ args: ['delete', 'configmaps', '-l', 'set=files'], setup: twoMaps, objects: [cm('cm-a'), cm('cm-b')] });
    await run({ args: ['delete', 'configmap', 'cm-a', 'nope'], setup: twoMaps, objects: [cm('cm-a')] });
    await run({ args: ['delete', 'configmap', 'nope', '--ignore-not-found'] });
    await run({ args: ['delete', 'configmaps', '-l', 'set=nothing'] });
  });

  test('label and annotate', async () => {
    const setup = createDeploy(deployment(1));
    await run({ args: ['label', 'deployment', 'demo', 'tier=fe'], setup, objects: [DEPLOY] });
    await run({ args: ['label', 'deployment', 'demo', 'app=other'], setup, objects: [DEPLOY] });
    await run({ args: ['label', 'deploy/demo', 'app-', 'nope-'], setup, objects: [DEPLOY] });
    await run({ args: ['annotate', 'deployment', 'demo', 'note=hello'], setup, objects: [DEPLOY] });
  });

  test('scale, patch, replace', async () => {
    const setup = createDeploy(deployment(1));
    await run({ args: ['scale', 'deployment', 'demo', '--replicas=4'], setup, objects: [DEPLOY] });
    await run({ args: ['scale', 'deployment/demo', '--replicas=4', '--current-replicas=2'], setup, objects: [DEPLOY] });
    await run({ args: ['patch', 'deployment', 'demo', '-p', '{"spec":{"replicas":2}}'], setup, objects: [DEPLOY] });
    await run({ args: ['patch', 'deployment', 'demo', '-p', '{"spec":{"replicas":1}}'], setup, objects: [DEPLOY] });
    await run({ args: ['patch', 'deployment', 'demo'], setup });
    await run({ args: ['replace', '-f', 'd3.yaml'], setup, objects: [DEPLOY] });
  });

  test('run, set, expose, edit', async () => {
    const setup = createDeploy(deployment(1));
    const pod = ref('pods', 'runner');
    await run({ args: ['run', 'runner', '--image=busybox', '--labels=a=b', '--env=X=1', '--port=8080', '--restart=Never', '--command', '--', 'sleep', '10'], setup: (c) => remove(c, [pod]), objects: [pod] });
    await run({ args: ['set', 'image', 'deployment/demo', 'nginx=nginx:1.29'], setup, objects: [DEPLOY] });
    await run({ args: ['set', 'image', 'deployment/demo', 'nope=x'], setup, objects: [DEPLOY] });
    await run({ args: ['set', 'resources', 'deployment/demo', '--limits=cpu=200m,memory=64Mi'], setup, objects: [DEPLOY] });
    await run({ args: ['expose', 'deployment', 'demo', '--port=80', '--target-port=8080'], setup, objects: [ref('services', 'demo')] });
    await run({ args: ['edit', 'deployment', 'demo'], env: { EDITOR: join(dir, 'scale-up.sh') }, setup, objects: [DEPLOY] });
    await run({ args: ['edit', 'deployment/demo'], env: { EDITOR: join(dir, 'negative.sh') }, setup, objects: [DEPLOY] });
  });
});
