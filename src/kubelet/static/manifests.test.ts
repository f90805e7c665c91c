import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readStaticPods, staticPodFrom } from './manifests.ts';

test('a static pod is named <name>-<node>, defaulted, annotated and its uid is the config hash', () => {
  const p = staticPodFrom({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } }, 'node-a', 'web.yaml');
  assert.equal(p.pod.metadata.name, 'web-node-a');
  assert.equal(p.pod.metadata.namespace, 'default');
  assert.equal(p.pod.metadata.uid, p.hash);
  assert.equal(p.pod.spec.nodeName, 'node-a');
  assert.equal(p.pod.spec.restartPolicy, 'Always');
  assert.equal(p.pod.metadata.annotations?.['kubernetes.io/config.source'], 'file');
  assert.equal(p.pod.metadata.annotations?.['kubernetes.io/config.hash'], p.hash);
  const changed = staticPodFrom({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'busybox:2' }] } }, 'node-a', 'web.yaml');
  assert.notEqual(changed.hash, p.hash);
  const same = staticPodFrom({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } }, 'node-a', 'web.yaml');
  assert.equal(same.hash, p.hash);
});

test('readStaticPods reads every file not hidden, skips directories and invalid files, refuses API references', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-static-unit-'));
  try {
    const pod = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'kube-system' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } });
    await writeFile(join(dir, 'a.json'), pod('a'));
    await writeFile(join(dir, 'b.yml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  containers:\n  - name: c\n    image: i:1\n');
    await writeFile(join(dir, '.hidden.yaml'), pod('hidden'));
    await writeFile(join(dir, 'notes.txt'), pod('txt'));
    await writeFile(join(dir, 'bad.yaml'), 'kind: Service\nmetadata:\n  name: s\n');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'd.yaml'), pod('nested'));
    const withRef = (name: string, spec: Record<string, unknown>): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i:1' }], ...spec } });
    await writeFile(join(dir, 'sa.yaml'), withRef('sa', { serviceAccountName: 'default' }));
    await writeFile(join(dir, 'cm.yaml'), withRef('cm', { volumes: [{ name: 'v', configMap: { name: 'x' } }] }));
    await writeFile(join(dir, 'token.yaml'), withRef('token', { volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }] }));
    const logged: string[] = [];
    const pods = await readStaticPods(dir, 'n1', (m) => logged.push(m));
    // Upstream's file source reads notes.txt too: the extension does not matter.
    assert.deepEqual(pods.map((p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name}`), ['kube-system/a-n1', 'default/b-n1', 'kube-system/txt-n1']);
    assert.deepEqual(logged, [
      `could not process manifest file: ${join(dir, 'bad.yaml')}: not a Pod manifest`,
      `could not process manifest file: ${join(dir, 'cm.yaml')}: static pods may not reference configmaps`,
      `could not process manifest file: ${join(dir, 'sa.yaml')}: static pods may not reference serviceaccounts`,
      `could not process manifest file: ${join(dir, 'token.yaml')}: static pods may not reference serviceaccounts (via projected volumes)`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
