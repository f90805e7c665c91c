import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.ts';
import { notFound as notFoundError } from '../../api/errors.ts';
import type { ResourceRef } from '../../client/index.ts';
import { silentLogger } from '../../client/index.ts';
import type { DiscoveredResource } from '../manager/discovery.ts';
import { GarbageCollector } from './collector.ts';

const cmRes: DiscoveredResource = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['list', 'watch', 'delete', 'get'] };

/** An in-memory stand-in for the three client calls the collector makes. */
function fakeClient(objs: KubeObject[]) {
  const store = new Map(objs.map((o) => [o.metadata.name ?? '', structuredClone(o)]));
  const deletes: { name: string; policy?: string }[] = [];
  const notFound = (name: string) => notFoundError('', 'configmaps', name);
  const client = {
    get: async (ref: ResourceRef) => {
      const o = store.get(ref.name ?? '');
      if (o === undefined) {
        throw notFound(ref.name ?? '');
      }
      return structuredClone(o);
    },
    update: async (_ref: ResourceRef, obj: unknown) => {
      const o = obj as KubeObject;
      store.set(o.metadata.name ?? '', structuredClone(o));
      return o;
    },
    delete: async (ref: ResourceRef, opts?: { propagationPolicy?: string }) => {
      deletes.push({ name: ref.name ?? '', policy: opts?.propagationPolicy });
      store.delete(ref.name ?? '');
      return {};
    },
  };
  return { client: client as unknown as ConstructorParameters<typeof GarbageCollector>[0], store, deletes };
}

const owned = (name: string, owner: string, ownerUid: string): KubeObject => ({ metadata: { name, namespace: 'ns', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid: ownerUid, blockOwnerDeletion: true }] } });

test('a dependent whose owner is gone is deleted in the background; one with a live owner is kept', async () => {
  const owner: KubeObject = { metadata: { name: 'owner', namespace: 'ns', uid: 'uid-owner' } };
  const { client, deletes } = fakeClient([owner, owned('kept', 'owner', 'uid-owner'), owned('dangling', 'gone', 'uid-gone')]);
  const gc = new GarbageCollector(client, silentLogger);
  gc.learn([cmRes]);
  for (const o of [owner, owned('kept', 'owner', 'uid-owner'), owned('dangling', 'gone', 'uid-gone')]) {
    gc.observe(cmRes, o);
  }
  await gc.syncDelete('uid-kept');
  await gc.syncDelete('uid-dangling');
  assert.deepEqual(deletes, [{ name: 'dangling', policy: 'Background' }]);
});

test('orphan: dependents lose the owner reference, then the orphan finalizer is removed', async () => {
  const owner: KubeObject = { metadata: { name: 'owner', namespace: 'ns', uid: 'uid-owner', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] } };
  const dep = owned('dep', 'owner', 'uid-owner');
  const { client, store } = fakeClient([owner, dep]);
  const gc = new GarbageCollector(client, silentLogger);
  gc.learn([cmRes]);
  gc.observe(cmRes, owner);
  gc.observe(cmRes, dep);
  await gc.syncOrphan('uid-owner');
  assert.equal(store.get('dep')?.metadata.ownerReferences, undefined);
  assert.deepEqual(store.get('owner')?.metadata.finalizers, []);
});

test('foreground: the owner keeps its finalizer while a blocking dependent exists, and drops it after', async () => {
  const owner: KubeObject = { metadata: { name: 'owner', namespace: 'ns', uid: 'uid-owner', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] } };
  const dep = owned('dep', 'owner', 'uid-owner');
  const { client, store, deletes } = fakeClient([owner, dep]);
  const gc = new GarbageCollector(client, silentLogger);
  gc.learn([cmRes]);
  gc.observe(cmRes, owner);
  gc.observe(cmRes, dep);
  await gc.syncDelete('uid-owner');
  assert.deepEqual(store.get('owner')?.metadata.finalizers, ['foregroundDeletion']);
  await gc.syncDelete('uid-dep');
  assert.deepEqual(deletes, [{ name: 'dep', policy: 'Background' }]);
  gc.forget('uid-dep');
  await gc.syncDelete('uid-owner');
  assert.deepEqual(store.get('owner')?.metadata.finalizers, []);
});
