import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

test('readStaticPods reads .yaml/.yml/.json, skips hidden, other and invalid files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-static-unit-'));
  try {
    const pod = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'kube-system' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } });
    await writeFile(join(dir, 'a.json'), pod('a'));
    await writeFile(join(dir, 'b.yml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  containers:\n  - name: c\n    image: i:1\n');
    await writeFile(join(dir, '.hidden.yaml'), pod('hidden'));
    await writeFile(join(dir, 'notes.txt'), pod('txt'));
    await writeFile(join(dir, 'bad.yaml'), 'kind: Service\nmetadata:\n  name: s\n');
    const logged: string[] = [];
    const pods = await readStaticPods(dir, 'n1', (m) => logged.push(m));
    assert.deepEqual(pods.map((p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name}`), ['kube-system/a-n1', 'default/b-n1']);
    assert.equal(logged.length, 1);
    assert.match(logged[0] ?? '', /bad\.yaml: not a Pod/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
