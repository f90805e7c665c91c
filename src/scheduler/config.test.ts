import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSchedulerConfig, parseDuration, profilePlugins } from './config.ts';
import { Registry } from './framework/registry.ts';
import { newNodeName } from './plugins/nodename/nodename.ts';

test('parseDuration: Go durations', () => {
  assert.equal(parseDuration('15s'), 15_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.throws(() => parseDuration('10'), /invalid duration/);
});

test('profilePlugins: disable, re-weight, disable all', () => {
  const p = profilePlugins({ score: { disabled: [{ name: 'ImageLocality' }], enabled: [{ name: 'NodeResourcesFit', weight: 5 }] } });
  assert.deepEqual(p.find((x) => x.name === 'ImageLocality')?.disabledAt, ['score']);
  assert.equal(p.find((x) => x.name === 'NodeResourcesFit')?.weight, 5);
  assert.deepEqual(profilePlugins({ multiPoint: { disabled: [{ name: '*' }], enabled: [{ name: 'NodeName' }, { name: 'DefaultBinder' }] } }).map((x) => x.name), ['NodeName', 'DefaultBinder']);
});

test('loadSchedulerConfig: profiles, leader election and client connection', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sched-config-'));
  try {
    const f = join(dir, 'config.yaml');
    await writeFile(
      f,
      'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nclientConnection:\n  kubeconfig: /k.conf\nleaderElection:\n  leaderElect: false\n  leaseDuration: 20s\nprofiles:\n- schedulerName: default-scheduler\n- schedulerName: no-scoring\n  plugins:\n    score:\n      disabled:\n      - name: "*"\n',
    );
    const c = await loadSchedulerConfig(f);
    assert.equal(c.kubeconfig, '/k.conf');
    assert.equal(c.leaderElect, false);
    assert.equal(c.leaseDurationMs, 20_000);
    assert.deepEqual(c.profiles.map((p) => p.schedulerName), ['default-scheduler', 'no-scoring']);
    const noScoring = c.profiles[1].plugins;
    assert.ok(noScoring.some((p) => p.name === 'DefaultBinder'));
    assert.ok(noScoring.filter((p) => p.name !== 'DefaultBinder').every((p) => p.disabledAt?.includes('score')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Registry rejects a duplicate plugin name', () => {
  const r = new Registry().register('NodeName', () => newNodeName());
  assert.throws(() => r.register('NodeName', () => newNodeName()), /a plugin named NodeName already exists/);
});

test('a plugin disabled at score keeps its filter', async () => {
  const { Framework } = await import('./framework/runtime.ts');
  const { inTreeRegistry } = await import('./plugins/registry.ts');
  const f = new Framework({ schedulerName: 'x', plugins: profilePlugins({ score: { disabled: [{ name: '*' }] } }) }, inTreeRegistry(), () => Promise.resolve());
  assert.equal(f.scores.length, 0);
  assert.ok(f.filters.some((p) => p.name === 'NodeResourcesFit'));
});
