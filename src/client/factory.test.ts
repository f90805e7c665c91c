import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/object.ts';
import { SharedInformerFactory } from './factory.ts';
import { silentLogger } from './log.ts';
import { sendJson, startFakeServer } from './testing.ts';

test('one informer per GVR and filter; informers made after start() start too; waitForCacheSync covers all', async () => {
  const fake = await startFakeServer();
  fake.handler = (req, res) => {
    if (req.url.searchParams.get('watch') === 'true') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).write('\n');
    }
    return sendJson(res, 200, { kind: 'List', metadata: { resourceVersion: '1' }, items: [] });
  };
  const factory = new SharedInformerFactory(fake.client, { logger: silentLogger, useWatchList: false, namespace: 'ns' });
  const pods = factory.informerFor<KubeObject>({ group: '', version: 'v1', resource: 'pods' });
  assert.equal(factory.informerFor({ group: '', version: 'v1', resource: 'pods' }), pods);
  assert.notEqual(factory.informerFor({ group: '', version: 'v1', resource: 'pods', labelSelector: 'a=b' }), pods);
  const withIndex = factory.informerFor<KubeObject>({ group: '', version: 'v1', resource: 'pods', indexers: { byName: (o) => [o.metadata.name ?? ''] } });
  assert.equal(withIndex, pods, 'indexers are added to the shared informer');
  assert.equal(pods.store.hasIndex('byName'), true);
  factory.start();
  const late = factory.informerFor({ group: 'apps', version: 'v1', resource: 'deployments' });
  try {
    assert.equal(await factory.waitForCacheSync(), true);
    assert.equal(late.hasSynced(), true);
    const paths = new Set(fake.seen.map((r) => r.url.pathname));
    assert.ok(paths.has('/api/v1/namespaces/ns/pods'));
    assert.ok(paths.has('/apis/apps/v1/namespaces/ns/deployments'));
  } finally {
    await factory.shutdown();
    await fake.close();
  }
});
