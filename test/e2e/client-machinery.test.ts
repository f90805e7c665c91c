/**
 * src/client against a real `k8ts apiserver`: the shared informer follows adds, updates and
 * deletes and converges after the apiserver restarts; two leader electors yield exactly one
 * leader and the other takes over when it stops; the event recorder aggregates repeats.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeepReadonly, KubeObject } from '../../src/api/object.ts';
import { isNotFound } from '../../src/api/errors.ts';
import { RestClient, PatchType } from '../../src/client/rest.ts';
import { SharedInformerFactory } from '../../src/client/factory.ts';
import { isTombstone } from '../../src/client/informer.ts';
import { silentLogger } from '../../src/client/log.ts';
import { LeaderElector } from '../../src/client/leaderelection.ts';
import type { Lease } from '../../src/client/leaderelection.ts';
import { EventRecorder, EventType } from '../../src/client/events.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenKubeconfig, writeKubeconfig } from '../../src/kubeconfig/index.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { until } from '../util/wait.ts';

const configmaps = { group: '', version: 'v1', resource: 'configmaps' } as const;
const cm = (ns: string, name?: string): { group: string; version: string; resource: string; namespace: string; name?: string } => ({ ...configmaps, namespace: ns, name });

describe('client machinery against a real apiserver', () => {
  let server: TestApiServer;
  let client: RestClient;
  before(async () => {
    server = await startApiServer({ backend: 'sqlite' });
    client = await RestClient.fromKubeconfig(server.kubeconfig, { component: 'e2e', logger: silentLogger, maxRetries: 2, retryBaseMs: 50 });
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('rest client: CRUD, patch, StatusError', async () => {
    const created = await client.create(cm('default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rest-1' }, data: { a: '1' } });
    assert.equal(created.metadata.name, 'rest-1');
    await assert.rejects(client.create(cm('default'), { metadata: { name: 'rest-1' } }), (e: unknown) => (e as { code?: number }).code === 409);
    const patched = await client.patch(cm('default', 'rest-1'), { data: { a: '2' } }, PatchType.Merge);
    assert.deepEqual(patched.data, { a: '2' });
    const list = await client.list(cm('default'), { limit: 10 });
    assert.ok(list.items.some((i) => i.metadata.name === 'rest-1'));
    await client.delete(cm('default', 'rest-1'));
    await assert.rejects(client.get(cm('default', 'rest-1')), (e: unknown) => isNotFound(e));
  });

  test('rest client: bearer token from a kubeconfig tokenFile; a bad token is a 401 StatusError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-client-token-'));
    try {
      const ca = await readFile(join(server.dataDir, 'pki', 'ca.crt'), 'utf8');
      const cfg = tokenKubeconfig(server.url, ca, 'unused');
      cfg.users[0].user = { tokenFile: 'token' };
      await writeKubeconfig(join(dir, 'kubeconfig'), cfg);
      await writeFile(join(dir, 'token'), `${server.token}\n`);
      const tokenClient = await RestClient.fromKubeconfig(join(dir, 'kubeconfig'), { logger: silentLogger });
      try {
        const ns = await tokenClient.get({ group: '', version: 'v1', resource: 'namespaces', name: 'default' });
        assert.equal(ns.metadata.name, 'default');
      } finally {
        tokenClient.close();
      }
      await writeFile(join(dir, 'token'), 'not-a-valid-token\n');
      const badClient = await RestClient.fromKubeconfig(join(dir, 'kubeconfig'), { logger: silentLogger });
      try {
        await assert.rejects(badClient.get({ group: '', version: 'v1', resource: 'namespaces', name: 'default' }), (e: unknown) => (e as { code?: number }).code === 401);
      } finally {
        badClient.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const useWatchList of [true, false]) {
    test(`informer (${useWatchList ? 'WatchList' : 'list+watch'}) follows changes and converges after a restart`, async () => {
      const ns = useWatchList ? 'default' : 'kube-public';
      const notes: string[] = [];
      const factory = new SharedInformerFactory(client, { logger: (_level, m) => notes.push(m), useWatchList });
      const informer = factory.informerFor<KubeObject>({ ...configmaps, fieldSelector: undefined });
      assert.equal(factory.informerFor<KubeObject>({ ...configmaps }), informer, 'one informer per resource');
      const log: string[] = [];
      const data = (o: DeepReadonly<KubeObject>): string => (o.data as Readonly<Record<string, string>> | undefined)?.v ?? '';
      informer.addEventHandler({
        onAdd: (o) => log.push(`add ${o.metadata.name}`),
        onUpdate: (_old, o) => log.push(`update ${o.metadata.name} ${data(o)}`),
        onDelete: (o) => log.push(`${isTombstone(o) ? 'tombstone' : 'delete'} ${isTombstone(o) ? o.obj.metadata.name : o.metadata.name}`),
      });
      await client.create(cm(ns), { metadata: { name: 'before' }, data: { v: '0' } });
      factory.start();
      try {
        assert.equal(await factory.waitForCacheSync(AbortSignal.timeout(20_000)), true);
        assert.ok(log.includes('add before'), log.join('; '));
        assert.equal(notes.some((m) => m.includes('falling back')), false, `the server accepts WatchList: ${notes.join('; ')}`);
        assert.equal(informer.lister.get(ns, 'before')?.metadata.name, 'before');
        assert.throws(() => {
          (informer.lister.get(ns, 'before') as { metadata: { name: string } }).metadata.name = 'x';
        }, TypeError);
        await client.create(cm(ns), { metadata: { name: 'live', labels: { app: 'x' } }, data: { v: '1' } });
        await until('live add', () => log.includes('add live'));
        assert.deepEqual(informer.lister.list(ns, 'app=x').map((o) => o.metadata.name), ['live']);
        await client.patch(cm(ns, 'live'), { data: { v: '2' } }, PatchType.Merge);
        await until('live update', () => log.includes('update live 2'));
        await client.delete(cm(ns, 'live'));
        await until('live delete', () => log.includes('delete live'));
        assert.equal(informer.lister.get(ns, 'live'), undefined);

        // Down: the apiserver stops; meanwhile nothing changes; on restart, change things and expect convergence.
        await server.restart();
        await client.delete(cm(ns, 'before'));
        await client.create(cm(ns), { metadata: { name: 'after' }, data: { v: '3' } });
        await until('converged after restart', () => informer.lister.get(ns, 'before') === undefined && informer.lister.get(ns, 'after') !== undefined);
        assert.ok(log.includes('add after'), log.join('; '));
        assert.ok(log.includes('delete before') || log.includes('tombstone before'), log.join('; '));
      } finally {
        await factory.shutdown();
      }
    });
  }

  test('leader election: exactly one leader; the other takes over after it stops', async () => {
    const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 };
    const leading = new Set<string>();
    const seenLeaders: string[] = [];
    const stops: Record<string, AbortController> = { a: new AbortController(), b: new AbortController() };
    const runs: Record<string, Promise<void>> = {};
    const electorFor = (id: string, releaseOnCancel: boolean): LeaderElector =>
      new LeaderElector({
        client,
        namespace: 'kube-system',
        name: `e2e-lock-${releaseOnCancel ? 'release' : 'expire'}`,
        identity: id,
        ...timings,
        releaseOnCancel,
        logger: silentLogger,
        callbacks: {
          onStartedLeading: () => {
            leading.add(id);
          },
          onStoppedLeading: () => {
            leading.delete(id);
          },
          onNewLeader: (who) => seenLeaders.push(`${id} sees ${who}`),
        },
      });
    for (const releaseOnCancel of [true, false]) {
      leading.clear();
      const ref = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system', name: `e2e-lock-${releaseOnCancel ? 'release' : 'expire'}` };
      stops.a = new AbortController();
      stops.b = new AbortController();
      runs.a = electorFor('a', releaseOnCancel).run(stops.a.signal);
      await until('a leads', () => leading.has('a'));
      runs.b = electorFor('b', releaseOnCancel).run(stops.b.signal);
      // b must keep failing for a while: let several retry periods pass.
      await new Promise((r) => setTimeout(r, 1200));
      assert.deepEqual([...leading], ['a']);
      const held = await client.get<Lease>(ref);
      assert.equal(held.spec?.holderIdentity, 'a');
      assert.equal(held.spec?.leaseDurationSeconds, 2);
      assert.match(held.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      const transitionsBefore = held.spec?.leaseTransitions ?? 0;
      stops.a.abort();
      await runs.a;
      assert.equal(leading.has('a'), false);
      await until('b takes over', () => leading.has('b'), { timeoutMs: 10_000 });
      assert.deepEqual([...leading], ['b']);
      const taken = await client.get<Lease>(ref);
      assert.equal(taken.spec?.holderIdentity, 'b');
      assert.equal(taken.spec?.leaseTransitions, transitionsBefore + 1, 'a takeover is one transition');
      stops.b.abort();
      await runs.b;
      if (releaseOnCancel) {
        const released = await client.get<Lease>(ref);
        assert.equal(released.spec?.holderIdentity ?? '', '');
      }
    }
    assert.ok(seenLeaders.includes('b sees a'), seenLeaders.join('; '));
  });

  test('event recorder: repeats are aggregated into one Event with a count', async () => {
    const recorder = new EventRecorder({ client, component: 'e2e-controller', host: 'node-1', logger: silentLogger });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: '1234' } };
    for (let i = 0; i < 3; i++) {
      recorder.event(pod, EventType.Warning, 'BackOff', 'Back-off restarting failed container');
    }
    recorder.event(pod, EventType.Normal, 'Pulled', 'Container image already present');
    await recorder.flush();
    const events = await client.list<KubeObject>({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
    const mine = events.items.filter((e) => (e.involvedObject as { name?: string } | undefined)?.name === 'web-1');
    const byReason = new Map(mine.map((e) => [e.reason as string, e]));
    assert.equal(mine.length, 2, JSON.stringify(mine));
    const backoff = byReason.get('BackOff');
    assert.equal(backoff?.count, 3);
    assert.equal(backoff?.type, 'Warning');
    assert.deepEqual(backoff?.source, { component: 'e2e-controller', host: 'node-1' });
    assert.equal(backoff?.reportingComponent, 'e2e-controller');
    assert.match(backoff?.metadata.name ?? '', /^web-1\.[0-9a-f]+$/);
    assert.ok(typeof backoff?.firstTimestamp === 'string' && typeof backoff?.lastTimestamp === 'string');
    assert.equal(byReason.get('Pulled')?.count, 1);
    await recorder.shutdown();
  });
});
