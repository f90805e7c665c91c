/**
 * `kill -9` of the apiserver during a stream of writes: after a restart every acknowledged
 * write is there exactly as acknowledged (same uid), and a watcher resumes from the
 * resourceVersion it had seen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApiServer } from '../util/apiserver.ts';
import { testApiClient } from '../util/http.ts';
import type { TestApiClient } from '../util/http.ts';

interface Obj {
  metadata: { name: string; uid: string; resourceVersion: string };
}

describe('kill -9 of the apiserver loses no acknowledged write', () => {
  let server: Awaited<ReturnType<typeof startApiServer>>;
  let client: TestApiClient;
  before(async () => {
    server = await startApiServer({ backend: 'sqlite' });
    client = testApiClient(server.url, server.kubeconfig, server.token);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('acknowledged creates survive, watchers resume', async () => {
    const acked = new Map<string, string>();
    let maxRv = 0;
    let stop = false;
    let seq = 0;
    const writer = async (): Promise<void> => {
      while (!stop) {
        const name = `crash-${seq++}`;
        try {
          const r = await client.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } });
          if (r.status === 201) {
            const o = r.json<Obj>();
            acked.set(name, o.metadata.uid);
            maxRv = Math.max(maxRv, Number(o.metadata.resourceVersion));
          }
        } catch {
          return; // the server died under us: this write was never acknowledged
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    while (acked.size < 200) {
      await new Promise((r) => setTimeout(r, 20));
    }
    server.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    const rvBeforeCrash = maxRv;
    const countAtCrash = acked.size;

    await server.restart();
    client.close();
    client = testApiClient(server.url, server.kubeconfig, server.token);
    const list = (await client.request('GET', '/api/v1/namespaces/default/configmaps')).json<{ items: Obj[] }>();
    const live = new Map(list.items.map((o) => [o.metadata.name, o.metadata.uid]));
    assert.equal(acked.size, countAtCrash);
    for (const [name, uid] of acked) {
      assert.equal(live.get(name), uid, `acknowledged ${name} lost or changed`);
    }
    assert.equal(new Set(list.items.map((o) => o.metadata.name)).size, list.items.length);

    // A watcher resumes from the last resourceVersion it saw before the crash, the way a reflector
    // does: the restarted server's watch cache starts at a newer revision, so (like upstream) it may
    // answer 410 Expired, after which the watcher relists and watches from the list's revision.
    const seen: string[] = [];
    let expired = false;
    const onEvent = (e: { type: string; object: Record<string, unknown> }): void => {
      if (e.type === 'ADDED') {
        seen.push((e.object as unknown as Obj).metadata.name);
      } else if (e.type === 'ERROR') {
        assert.equal((e.object as { code?: number }).code, 410);
        expired = true;
      }
    };
    let w = await client.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rvBeforeCrash}`, onEvent);
    assert.equal(w.status, 200);
    await Promise.race([w.ended, new Promise((r) => setTimeout(r, 1000))]);
    if (expired) {
      await w.ended;
      const relist = (await client.request('GET', '/api/v1/namespaces/default/configmaps')).json<{ metadata: { resourceVersion: string } }>();
      w = await client.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${relist.metadata.resourceVersion}`, onEvent);
    }
    const created = await client.request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'after-restart' } });
    assert.equal(created.status, 201);
    const deadline = Date.now() + 10_000;
    while (!seen.includes('after-restart') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    w.stop();
    assert.ok(seen.includes('after-restart'), 'the watcher did not resume after the restart');
    for (const name of seen) {
      assert.ok(!acked.has(name), `${name} was replayed although the watcher had seen it before the crash`);
    }
  });
});
