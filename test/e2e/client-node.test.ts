/**
 * @kubernetes/client-node (current major) against a real `k8ts apiserver`: an informer sees
 * adds, updates and deletes, and after the apiserver restarts (its watch cache then starts at
 * a newer revision, so the informer's old resourceVersion is answered with 410 Gone) it relists
 * and converges, reporting the delete it missed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startApiServer } from '../util/apiserver.ts';
import { until } from '../util/wait.ts';

describe('@kubernetes/client-node informer', () => {
  let server: Awaited<ReturnType<typeof startApiServer>>;
  before(async () => {
    server = await startApiServer({ backend: 'sqlite' });
  });
  after(async () => {
    await server?.stop();
  });

  test('sees adds, updates, deletes, and relists after the server restarts', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const path = '/api/v1/namespaces/default/configmaps';
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const log: string[] = [];
    informer.on('add', (o) => log.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => log.push(`update ${o.metadata?.name} ${o.data?.v ?? ''}`));
    informer.on('delete', (o) => log.push(`delete ${o.metadata?.name}`));
    let stopped = false;
    informer.on('error', () => {
      if (!stopped) {
        setTimeout(() => void informer.start().catch(() => undefined), 200);
      }
    });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'before' }, data: { v: '0' } } });
    await informer.start();
    try {
      await until('initial add', () => log.includes('add before'));
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'live' }, data: { v: '1' } } });
      await until('live add', () => log.includes('add live'));
      await core.patchNamespacedConfigMap({ namespace: 'default', name: 'live', body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await until('live update', () => log.includes('update live 2'));
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'live' });
      await until('live delete', () => log.includes('delete live'));

      // While the informer is stopped: delete one object, create another, then restart the server.
      await informer.stop();
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'before' });
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'missed' } } });
      await server.restart();
      await informer.start();
      await until('the missed delete and add after relist', () => log.includes('delete before') && log.includes('add missed'));
      const names = informer.list().map((o) => o.metadata?.name).sort();
      assert.deepEqual(names, ['missed']);
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after' } } });
      await until('add after restart', () => log.includes('add after'));
    } finally {
      stopped = true;
      await informer.stop();
    }
  });
});
