import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { cloneObject } from './codec.ts';
import { RegistryCore } from './core.ts';
import { bindPod } from './subresources.ts';
import { fileHarness } from './testing/harness.ts';
import { updateObject } from './update.ts';

// Updates start from the watch cache's copy; these cases hand them a stale copy on purpose
// (a core whose cache answers with an older version) and check the store decides.
const h = fileHarness();
const opts = { timeout: 20_000 };

/** A core over the harness's store whose watch cache always answers with `stale`. */
function coreWithStaleCache(stale: KubeObject): { core: RegistryCore; asked: () => number } {
  const core = new RegistryCore(h.storage);
  let asked = 0;
  core.cachedObject = () => {
    asked++;
    return stale;
  };
  return { core, asked: () => asked };
}

test('an update from a stale cached copy is redone on the stored object', opts, async () => {
  const d = h.desc('', 'configmaps');
  const v1 = await h.registry.create(d, 'default', { metadata: { name: 'cm' }, data: { a: '1' } }, h.ctx());
  const v2 = await h.registry.update(d, 'default', 'cm', { ...cloneObject(v1), data: { a: '2' } }, h.ctx());
  const { core, asked } = coreWithStaleCache(v1);
  const res = await updateObject(core, d, 'default', 'cm', h.ctx(), (cur) => {
    const obj = cur as KubeObject & { data: Record<string, string> };
    obj.data.b = 'x';
    return obj;
  }, { allowCreate: false });
  assert.equal(asked(), 1);
  assert.deepEqual(res.object.data, { a: '2', b: 'x' });
  assert.ok(Number(res.object.metadata.resourceVersion) > Number(v2.object.metadata.resourceVersion));
  const stored = await h.registry.get(d, 'default', 'cm');
  assert.deepEqual(stored.data, { a: '2', b: 'x' });
});

test('a write that is a no-op against the stale copy is still stored when the store differs', opts, async () => {
  const d = h.desc('', 'configmaps');
  const v1 = await h.registry.create(d, 'default', { metadata: { name: 'noop' }, data: { a: '1' } }, h.ctx());
  await h.registry.update(d, 'default', 'noop', { ...cloneObject(v1), data: { a: '2' } }, h.ctx());
  const { core } = coreWithStaleCache(v1);
  const res = await updateObject(core, d, 'default', 'noop', h.ctx(), (cur) => ({ ...(cur as KubeObject), data: { a: '1' } }), { allowCreate: false });
  assert.deepEqual(res.object.data, { a: '1' });
  assert.deepEqual((await h.registry.get(d, 'default', 'noop')).data, { a: '1' });
});

test('binding from a stale copy that shows the pod unbound: 409, the first binding stays', opts, async () => {
  const pods = h.desc('', 'pods');
  const pod = await h.registry.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, h.ctx());
  const binding = (node: string): KubeObject => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: node } });
  const { core } = coreWithStaleCache(pod);
  await bindPod(core, pods, 'default', 'p', binding('node-a'), h.ctx());
  await assert.rejects(bindPod(core, pods, 'default', 'p', binding('node-b'), h.ctx()), (err: unknown) => {
    assert.equal((err as StatusError).code, 409);
    assert.match((err as StatusError).message, /already assigned to node "node-a"/);
    return true;
  });
  const stored = await h.registry.get(pods, 'default', 'p');
  assert.equal((stored.spec as { nodeName?: string }).nodeName, 'node-a');
});
