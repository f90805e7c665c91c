import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import type { RestClient } from '../../client/rest.ts';
import { buildResources } from '../resource/builder.ts';
import { createDiscovery, discoveryCacheDir, DISCOVERY_TTL_MS } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-discovery-'));
after(() => rmSync(root, { recursive: true, force: true }));

const server = 'https://127.0.0.1:6443';

/** A client whose every request fails the test: the cache alone must answer. */
function offlineClient(): RestClient {
  const fail = (): never => {
    throw new Error('discovery went to the server');
  };
  return { connection: { server }, raw: fail, request: fail } as unknown as RestClient;
}

const coreV1 = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'v1',
  resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'], categories: ['all'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get', 'list'], shortNames: ['svc'], categories: ['all'] },
  ],
};
// A second group whose resources would take `pods`/`service` if short names or categories came first.
const widgets = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'example.com/v1',
  resources: [
    { name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['get', 'list'], shortNames: ['pods', 'wd'], categories: ['service'] },
  ],
};
const groups = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [
    { name: '', versions: [{ groupVersion: 'v1', version: 'v1' }], preferredVersion: { groupVersion: 'v1', version: 'v1' } },
    { name: 'example.com', versions: [{ groupVersion: 'example.com/v1', version: 'v1' }], preferredVersion: { groupVersion: 'example.com/v1', version: 'v1' } },
  ],
};

/** A fresh cache under a new cache dir; returns that cache dir and the discovery dir inside it. */
function writeCache(files: Record<string, unknown>): { cacheDir: string; dir: string } {
  const cacheDir = mkdtempSync(join(root, 'cache-'));
  const dir = discoveryCacheDir(cacheDir, server);
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  }
  return { cacheDir, dir };
}

const complete = { 'servergroups.json': groups, 'v1/serverresources.json': coreV1, 'example.com/v1/serverresources.json': widgets };

test('a resource of the first group named exactly resolves from servergroups.json and that one file', async () => {
  // The other group's file is unreadable as JSON: reading it would fail the cache and go to the server.
  const { cacheDir } = writeCache({ ...complete, 'example.com/v1/serverresources.json': '{not json' });
  const d = createDiscovery(offlineClient(), cacheDir);
  for (const typed of ['pods', 'pod', 'Pods']) {
    const m = await d.exactInFirstGroup(typed);
    assert.equal(m?.resource, 'pods', typed);
    assert.deepEqual([m?.group, m?.version, m?.kind, m?.namespaced, m?.shortNames, m?.categories], ['', 'v1', 'Pod', true, ['po'], ['all']]);
  }
  assert.equal((await d.resolve('pods')).resource, 'pods');
  const built = await buildResources(d, { args: ['pods'], namespace: 'default' });
  assert.deepEqual(built.infos.map((i) => [i.mapping.resource, i.namespace]), [['pods', 'default']]);
  // Short names, subresources and names with a group are left to the whole discovery.
  assert.equal(await d.exactInFirstGroup('po'), undefined);
  assert.equal(await d.exactInFirstGroup('pods/log'), undefined);
  assert.equal(await d.exactInFirstGroup('pods.v1'), undefined);
  assert.equal(await d.exactInFirstGroup('widgets'), undefined);
});

test('the exact-name path and the whole discovery give the same answers', async () => {
  const { cacheDir } = writeCache(complete);
  const quick = createDiscovery(offlineClient(), cacheDir);
  const whole = createDiscovery(offlineClient(), cacheDir);
  await whole.groups(); // loaded: resolve() goes through the full mapping list
  for (const typed of ['pods', 'pod', 'po', 'services', 'svc', 'widgets', 'wd', 'Pod']) {
    assert.deepEqual(await quick.resolve(typed), await whole.resolve(typed), typed);
  }
  // As kubectl's shortcut expander: a resource's own name is never taken by another group's short name.
  assert.equal((await whole.resolve('pods')).group, '');
  assert.equal((await whole.resolve('wd')).resource, 'widgets');
  // `service` is the other group's category, but also core's singular name: the resource wins, as before.
  const built = await buildResources(whole, { args: ['service'], namespace: 'default' });
  assert.deepEqual(built.infos.map((i) => i.mapping.resource), ['services']);
});

test('a stale or missing group-version file makes the exact-name path step aside, as the whole cache does', async () => {
  const { cacheDir, dir } = writeCache(complete);
  const old = (Date.now() - DISCOVERY_TTL_MS - 60_000) / 1000;
  utimesSync(join(dir, 'example.com/v1/serverresources.json'), old, old);
  const d = createDiscovery(offlineClient(), cacheDir);
  assert.equal(await d.exactInFirstGroup('pods'), undefined);
  // The stale cache is refetched: here that reaches the (failing) server.
  await assert.rejects(d.resolve('pods'), /discovery went to the server/);
  const missing = writeCache({ 'servergroups.json': groups, 'v1/serverresources.json': coreV1 });
  assert.equal(await createDiscovery(offlineClient(), missing.cacheDir).exactInFirstGroup('pods'), undefined);
});
