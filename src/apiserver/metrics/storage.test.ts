import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { openStorage } from '../../storage/open.ts';
import { instrumentStorage, storageType } from './storage.ts';

test('storageType names built-in and custom resources like upstream', () => {
  assert.equal(storageType('/registry/pods/default/web'), 'pods');
  assert.equal(storageType('/registry/namespaces/default'), 'namespaces');
  assert.equal(storageType('/registry/example.com/widgets/default/w1'), 'widgets.example.com');
});

test('every store call is counted and timed by operation and type', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-storage-metrics-'));
  const registry = new Registry();
  const storage = instrumentStorage(await openStorage({ backend: 'sqlite', dataDir: dir }), registry);
  try {
    const kv = await storage.create('/registry/configmaps/default/a', '{}');
    await storage.update('/registry/configmaps/default/a', '{"x":1}', kv.modRevision);
    await storage.get('/registry/configmaps/default/a');
    await storage.list('/registry/configmaps/');
    await assert.rejects(storage.create('/registry/configmaps/default/a', '{}'));
    const text = await registry.metrics();
    assert.match(text, /etcd_requests_total\{operation="create",type="configmaps"\} 2/);
    assert.match(text, /etcd_requests_total\{operation="update",type="configmaps"\} 1/);
    assert.match(text, /etcd_requests_total\{operation="listWithCount",type="configmaps"\} 1/);
    assert.match(text, /etcd_request_duration_seconds_count\{operation="get",type="configmaps"\} 1/);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
