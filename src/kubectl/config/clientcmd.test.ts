import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CliError } from '../command.ts';
import { RawMessageError } from '../cli/errors.ts';
import { loadKubeconfigChain, selectContext } from './clientcmd.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const a = join(dir, 'a.yaml');
const b = join(dir, 'b.yaml');
writeFileSync(a, 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: https://a:1, certificate-authority: ca.crt}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: ta}\n');
writeFileSync(b, 'apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters:\n- name: c\n  cluster: {server: https://b:2}\n- name: d\n  cluster: {server: https://d:4}\ncontexts:\n- name: y\n  context: {cluster: d, user: u, namespace: ns-y}\n');

test('KUBECONFIG files merge: first definition wins, first current-context wins, missing files skipped', () => {
  const loaded = loadKubeconfigChain('', { KUBECONFIG: [join(dir, 'missing.yaml'), a, b].join(':'), HOME: dir });
  assert.equal(loaded.config['current-context'], 'x');
  assert.deepEqual(loaded.config.clusters.map((c) => [c.name, c.cluster.server]), [['c', 'https://a:1'], ['d', 'https://d:4']]);
  assert.equal(loaded.origin.clusters.get('d'), b);
  assert.equal(loaded.origin.currentContext, b);
  // Relative paths are made absolute against the file that holds them.
  assert.equal(loaded.config.clusters[0].cluster['certificate-authority'], join(dir, 'ca.crt'));
});

test('--kubeconfig reads only that file and it must exist', () => {
  assert.equal(loadKubeconfigChain(b, { KUBECONFIG: a }).config.clusters[0].cluster.server, 'https://b:2');
  assert.throws(() => loadKubeconfigChain(join(dir, 'nope'), {}), (e: unknown) => e instanceof CliError && e.message === `stat ${join(dir, 'nope')}: no such file or directory`);
});

test('context selection with overrides and upstream errors', () => {
  const cfg = loadKubeconfigChain('', { KUBECONFIG: `${a}:${b}` }).config;
  const flags = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));
  const sel = selectContext(cfg, flags({ context: 'y', server: 'https://override:9', namespace: '' }));
  assert.equal(sel.cluster.server, 'https://override:9');
  assert.equal(sel.namespace, 'ns-y');
  assert.equal(selectContext(cfg, flags({ namespace: 'n1' })).namespace, 'n1');
  assert.throws(() => selectContext(cfg, flags({ context: 'nope' })), (e: unknown) => e instanceof RawMessageError && e.message === 'Error in configuration: context was not found for specified context: nope');
  assert.throws(() => selectContext(cfg, flags({ user: 'nope' })), /auth info "nope" does not exist/);
});
