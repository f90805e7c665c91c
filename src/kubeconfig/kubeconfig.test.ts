import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { adminKubeconfig, loadKubeconfig, mergeIntoUserKubeconfig, mergeKubeconfig, parseKubeconfig, resolveContext, userKubeconfigPath } from './index.ts';

const kubectlBin = new URL('../../.tools/kubectl/kubectl', import.meta.url).pathname;

const existingYaml = `apiVersion: v1
kind: Config
clusters:
- name: other
  cluster:
    server: https://other.example:6443
- name: k8ts
  cluster:
    server: https://stale:1
users:
- name: other
  user:
    token: other-token
- name: k8ts
  user:
    token: stale
contexts:
- name: other
  context:
    cluster: other
    user: other
    namespace: team
- name: k8ts
  context:
    cluster: k8ts
    user: k8ts
current-context: other
preferences:
  colors: true
extensions:
- name: keep-me
  extension: {}
`;

test('merge replaces same-named entries, keeps the others and sets current-context', () => {
  const add = adminKubeconfig('https://127.0.0.1:6443', 'CA', 'CERT', 'KEY');
  const merged = mergeKubeconfig(parseKubeconfig(existingYaml), add);
  assert.deepEqual(merged.clusters.map((c) => c.name), ['other', 'k8ts']);
  assert.equal(merged.clusters[1].cluster.server, 'https://127.0.0.1:6443');
  assert.equal(merged.clusters[0].cluster.server, 'https://other.example:6443');
  assert.equal(merged.users[1].user['client-certificate-data'], Buffer.from('CERT').toString('base64'));
  assert.equal(merged.users[1].user.token, undefined);
  assert.equal(merged.contexts[0].context.namespace, 'team');
  assert.equal(merged['current-context'], 'k8ts');
  assert.deepEqual(merged.preferences, { colors: true });
  assert.ok(Array.isArray(merged.extensions));
});


test('mergeIntoUserKubeconfig writes a 0600 file that real kubectl reads, and is idempotent', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-kubeconfig-'));
  try {
    const path = join(dir, 'nested', 'config');
    await mergeIntoUserKubeconfig(adminKubeconfig('https://127.0.0.1:7443', 'CA', 'CERT', 'KEY'), path);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(existsSync(`${path}.lock`), false);
    await writeFile(path, existingYaml);
    await mergeIntoUserKubeconfig(adminKubeconfig('https://127.0.0.1:7443', 'CA', 'CERT', 'KEY'), path);
    const once = await readFile(path, 'utf8');
    await mergeIntoUserKubeconfig(adminKubeconfig('https://127.0.0.1:7443', 'CA', 'CERT', 'KEY'), path);
    assert.equal(await readFile(path, 'utf8'), once);
    const cfg = await loadKubeconfig(path);
    assert.equal(cfg.clusters.length, 2);
    if (existsSync(kubectlBin)) {
      const out = execFileSync(kubectlBin, ['config', 'get-contexts', '-o', 'name', '--kubeconfig', path], { encoding: 'utf8' });
      assert.deepEqual(out.trim().split('\n').sort(), ['k8ts', 'other']);
      const cur = execFileSync(kubectlBin, ['config', 'current-context', '--kubeconfig', path], { encoding: 'utf8' });
      assert.equal(cur.trim(), 'k8ts');
    }
    const conn = await resolveContext(cfg);
    assert.equal(conn.server, 'https://127.0.0.1:7443');
    assert.equal(conn.caPem, 'CA');
    assert.equal(conn.keyPem, 'KEY');
    const other = await resolveContext(cfg, 'other');
    assert.equal(other.token, 'other-token');
    assert.equal(other.namespace, 'team');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('userKubeconfigPath follows $KUBECONFIG, else ~/.kube/config', () => {
  assert.equal(userKubeconfigPath({ KUBECONFIG: '/a/one:/b/two', HOME: '/h' }), '/a/one');
  assert.equal(userKubeconfigPath({ HOME: '/h' }), '/h/.kube/config');
  assert.equal(userKubeconfigPath({ KUBECONFIG: '', HOME: '/h' }), '/h/.kube/config');
});

test('a missing kubeconfig loads as empty', async () => {
  const cfg = await loadKubeconfig(join(tmpdir(), 'k8ts-definitely-missing', 'config'));
  assert.deepEqual(cfg.contexts, []);
  assert.equal(cfg['current-context'], '');
});
