/**
 * KD's matrix, real kubectl 1.35 vs `k8ts kubectl` against one apiserver: `diff` (client-side
 * and --server-side, new/changed/unchanged objects, Secret masking, errors, KUBECTL_EXTERNAL_DIFF, --prune),
 * `apply --prune` (default allowlist, --prune-allowlist, dry runs), and the `create token|ingress|
 * poddisruptionbudget` generators. Normalised stdout, stderr and exit code must agree.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectlOk, kubectlPath, runTool } from '../util/kubectl.ts';
import type { ClientEnv, RunResult } from '../util/kubectl.ts';
import { assertSameAsKubectl, k8tsPath, lineDiff, normalizeKubectlText } from '../util/kubectl-compare.ts';

/** What differs between two diff runs besides the standard normalisation: temp dir names, file times, klog headers, tokens. */
function normalizeDiff(text: string): string {
  return text
    .replace(/\/(LIVE|MERGED)-\d+\//g, '/$1-<n>/')
    .replace(/\t\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+ [+-]\d{4}$/gm, '\t<mtime>')
    .replace(/^W\d{4} \d{2}:\d{2}:\d{2}\.\d{6}\s+\d+ /gm, 'W<klog> ')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<token>');
}

const cm = (value: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: d1
  labels: {app: d}
data: {a: "${value}"}
`;

const deployment = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${image}
`;

const secret = (b: string): string => `apiVersion: v1
kind: Secret
metadata:
  name: s1
stringData: {a: "1", b: "${b}"}
`;

const pruneAll = `apiVersion: v1
kind: ConfigMap
metadata: {name: pa, labels: {set: p}}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: pb, labels: {set: p}}
data: {b: "1"}
---
apiVersion: v1
kind: Service
metadata: {name: psvc, labels: {set: p}}
spec: {ports: [{port: 80}]}
`;

const pruneKeep = `apiVersion: v1
kind: ConfigMap
metadata: {name: pa, labels: {set: p}}
data: {a: "1"}
`;

describe('kubectl diff, apply --prune, create token/ingress/pdb: real kubectl 1.35 vs k8ts kubectl', { timeout: 400_000 }, () => {
  let api: TestApiServer;
  let env: ClientEnv;
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const same = (args: readonly string[], opts: { stdin?: string; between?: () => Promise<void> } = {}): Promise<unknown> => assertSameAsKubectl(env, args, { ...opts, normalize: normalizeDiff, cwd: dir });

  before(async () => {
    api = await startApiServer();
    env = clientEnv(api.kubeconfig);
    dir = mkdtempSync(join(tmpdir(), 'k8ts-kd-'));
  });

  after(async () => {
    await api?.stop();
    env?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('diff', async () => {
    // nothing live yet: dry-run creates, a Secret's missing side is YAML null
    await same(['diff', '-f', file('cm1.yaml', cm('1'))]);
    await same(['diff', '-f', file('secret1.yaml', secret('2'))]);
    await kubectlOk(env, ['apply', '-f', join(dir, 'cm1.yaml')]);
    await kubectlOk(env, ['apply', '-f', join(dir, 'secret1.yaml')]);
    await kubectlOk(env, ['apply', '-f', file('web1.yaml', deployment('nginx:1'))]);
    // unchanged: exit 0, no output
    await same(['diff', '-f', 'cm1.yaml']);
    await same(['diff', '-f', '-'], { stdin: cm('1') });
    // changed: client-side three-way patch, server-side apply, masking, -l filtering, a directory
    await same(['diff', '-f', file('cm2.yaml', cm('2'))]);
    await same(['diff', '-f', file('web2.yaml', deployment('nginx:2'))]);
    await same(['diff', '--server-side', '-f', 'web2.yaml']);
    await same(['diff', '-f', 'web2.yaml', '--show-managed-fields']);
    await same(['diff', '-f', file('secret2.yaml', secret('3'))]);
    await same(['diff', '-f', 'cm2.yaml', '-l', 'app=other']);
    // errors exit 2
    await same(['diff']);
    await same(['diff', '-f', 'missing.yaml']);
    await same(['diff', '-f', 'cm2.yaml', 'extra']);
    await same(['diff', '--bogus']);
  });

  test('diff with KUBECTL_EXTERNAL_DIFF', async () => {
    for (const external of ['diff -q', 'nosuch-differ -u']) {
      const real = await runTool(kubectlPath, env, ['diff', '-f', join(dir, 'cm2.yaml')], { extraEnv: { KUBECTL_EXTERNAL_DIFF: external } });
      const ours = await runTool(k8tsPath, env, ['kubectl', 'diff', '-f', join(dir, 'cm2.yaml')], { extraEnv: { KUBECTL_EXTERNAL_DIFF: external } });
      const n = (r: RunResult): string => `${r.code}\n${normalizeDiff(normalizeKubectlText(r.stdout))}\n${normalizeDiff(normalizeKubectlText(r.stderr))}`;
      assert.equal(n(ours), n(real), lineDiff(n(real), n(ours)));
    }
  });

  test('apply --prune', async () => {
    const all = file('prune-all.yaml', pruneAll);
    file('prune-keep.yaml', pruneKeep);
    const restore = async (): Promise<void> => void (await kubectlOk(env, ['apply', '-f', all]));
    await restore();
    // diff --prune shows what apply --prune would delete on the live side only
    await same(['diff', '-f', 'prune-keep.yaml', '--prune', '-l', 'set=p']);
    await same(['apply', '-f', 'prune-keep.yaml', '--prune', '-l', 'set=p', '--dry-run=client']);
    await same(['apply', '-f', 'prune-keep.yaml', '--prune', '-l', 'set=p', '--dry-run=server']);
    await same(['apply', '-f', 'prune-keep.yaml', '--prune', '-l', 'set=p', '--prune-allowlist=core/v1/ConfigMap'], { between: restore });
    await restore();
    await same(['apply', '-f', 'prune-keep.yaml', '--prune', '-l', 'set=p'], { between: restore });
    await same(['apply', '-f', 'prune-keep.yaml', '--prune', '-l', 'set=p', '--prune-allowlist=foo']);
    await same(['apply', '-f', 'prune-keep.yaml', '--prune', '-l', 'set=p', '--prune-allowlist=core/v1/Foo']);
    await same(['apply', '-f', 'prune-keep.yaml', '--prune']);
    await same(['apply', '-f', 'prune-all.yaml', '-l', 'set=q']);
  });

  test('create token, ingress, poddisruptionbudget', async () => {
    await kubectlOk(env, ['create', 'serviceaccount', 'tsa']);
    await same(['create', 'token', 'tsa']);
    await same(['create', 'token', 'tsa', '-o', 'yaml', '--duration=1h', '--audience=a', '--audience=b']);
    await same(['create', 'token', 'nosa']);
    await same(['create', 'token', 'tsa', '--duration=1.5s']);
    await same(['create', 'token', 'tsa', '--bound-object-kind=Pod']);
    await same(['create', 'token', 'tsa', '--bound-object-kind=Foo', '--bound-object-name=x']);
    await same(['create', 'token']);

    await same(['create', 'ingress', 'ing1', '--rule=foo.com/bar*=svc1:8080,tls=my-cert', '--rule=bar.com/=svc2:http', '--class=nginx', '--default-backend=defsvc:80', '--annotation=a=b', '--dry-run=client', '-o', 'yaml']);
    await same(['create', 'ingress', 'ing2', '--rule=a.com/=s:1,tls', '--rule=a.com/b=s:2,tls=x', '--rule=c.com/=s:1,tls=x', '--rule=/=s:0,tls', '--dry-run=client', '-o', 'json']);
    await same(['create', 'ing', 'ing3', '--rule=foo.com/=svc']);
    await same(['create', 'ingress', 'ing4', '--dry-run=client']);
    await same(['create', 'ingress', 'ing5', '--rule=a/=b:1', '--annotation=foo']);
    await same(['create', 'ingress', 'ingsrv', '--rule=foo.com/=svc:80', '-o', 'yaml', '--dry-run=server']);
    await same(['create', 'ingress', 'ingreal', '--rule=foo.com/=svc:80'], { between: async () => void (await kubectlOk(env, ['delete', 'ingress', 'ingreal'])) });

    await same(['create', 'pdb', 'p1', '--selector=app=x,env,!old,z in (a,b),q notin (c),a==b', '--min-available=50%', '--dry-run=client', '-o', 'json']);
    await same(['create', 'pdb', 'p2', '--selector=app=x', '--max-unavailable=1', '--dry-run=client', '-o', 'yaml']);
    await same(['create', 'pdb', 'p3']);
    await same(['create', 'pdb', 'p3', '--selector=a=b', '--min-available=1', '--max-unavailable=1']);
    await same(['create', 'pdb', 'p3', '--selector=a=b,,c', '--min-available=1']);
    await same(['create', 'pdb', 'p3', '--selector=a!=b', '--min-available=1']);
    await same(['create', 'pdb', 'p3', '--selector=a=b,c in (x,y)', '--min-available=1', '-o', 'yaml', '--dry-run=server']);
    await same(['create', 'poddisruptionbudget', 'p4', '--selector=a=b', '--min-available=2'], { between: async () => void (await kubectlOk(env, ['delete', 'pdb', 'p4'])) });
  });
});
