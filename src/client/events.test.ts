import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notFound } from '../api/errors.ts';
import { EventRecorder, EventType, refOf } from './events.ts';
import type { CoreEvent } from './events.ts';
import { silentLogger } from './log.ts';
import type { RestClient } from './rest.ts';

interface Call {
  verb: 'create' | 'patch';
  name: string;
  body: Record<string, unknown>;
  contentType?: string;
}

function fakeEventsClient(opts: { patchNotFound?: boolean; slow?: boolean } = {}): { client: RestClient; calls: Call[] } {
  const calls: Call[] = [];
  // The recorder writes through requestWithoutResult (it never reads the server's answer).
  const client = {
    requestWithoutResult: async (req: { method: string; path: string; body: Record<string, unknown>; contentType?: string }) => {
      if (req.method === 'POST') {
        if (opts.slow === true) {
          await new Promise((r) => setTimeout(r, 5));
        }
        assert.equal(req.path, `/api/v1/namespaces/${String((req.body.metadata as { namespace: string }).namespace)}/events`);
        calls.push({ verb: 'create', name: (req.body.metadata as { name?: string }).name ?? '', body: structuredClone(req.body) });
        return;
      }
      assert.equal(req.method, 'PATCH');
      const name = decodeURIComponent(req.path.slice(req.path.lastIndexOf('/') + 1));
      calls.push({ verb: 'patch', name, body: req.body, contentType: req.contentType });
      if (opts.patchNotFound === true) {
        throw notFound('', 'events', name);
      }
    },
  };
  return { client: client as unknown as RestClient, calls };
}

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', uid: 'u1', resourceVersion: '7' } };

test('first event is created with upstream naming and fields; repeats PATCH count and lastTimestamp', async () => {
  const { client, calls } = fakeEventsClient();
  const r = new EventRecorder({ client, component: 'kubelet', host: 'node-1', logger: silentLogger });
  r.event(pod, EventType.Warning, 'BackOff', 'Back-off restarting');
  r.event(pod, EventType.Warning, 'BackOff', 'Back-off restarting');
  r.event(pod, EventType.Warning, 'BackOff', 'Back-off restarting');
  await r.flush();
  assert.deepEqual(calls.map((c) => c.verb), ['create', 'patch', 'patch']);
  const created = calls[0].body as unknown as CoreEvent;
  assert.match(created.metadata.name ?? '', /^web-1\.[0-9a-f]{12,}$/);
  assert.equal(created.metadata.namespace, 'prod');
  assert.deepEqual(created.involvedObject, { kind: 'Pod', namespace: 'prod', name: 'web-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '7' });
  assert.deepEqual(created.source, { component: 'kubelet', host: 'node-1' });
  assert.equal(created.count, 1);
  assert.match(created.firstTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(created.reportingComponent, 'kubelet');
  assert.equal(created.reportingInstance, 'node-1');
  assert.equal(calls[1].name, created.metadata.name);
  assert.equal(calls[1].contentType, 'application/strategic-merge-patch+json');
  assert.equal(calls[1].body.count, 2);
  assert.equal(calls[2].body.count, 3);
  assert.ok(typeof calls[2].body.lastTimestamp === 'string');
});

test('a different message or reason is a new Event; cluster-scoped objects go to default', async () => {
  const { client, calls } = fakeEventsClient();
  const r = new EventRecorder({ client, component: 'c', host: 'h', logger: silentLogger });
  r.event(pod, EventType.Normal, 'Pulled', 'one');
  r.event(pod, EventType.Normal, 'Pulled', 'two');
  r.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } }, EventType.Normal, 'Ready', 'ready');
  await r.flush();
  assert.deepEqual(calls.map((c) => c.verb), ['create', 'create', 'create']);
  assert.equal((calls[2].body as unknown as CoreEvent).metadata.namespace, 'default');
});

test('more than 10 distinct messages for one object+reason are combined', async () => {
  const { client, calls } = fakeEventsClient();
  const r = new EventRecorder({ client, component: 'c', host: 'h', logger: silentLogger });
  for (let i = 0; i < 12; i++) {
    r.event(pod, EventType.Warning, 'FailedMount', `volume ${i} failed`);
  }
  await r.flush();
  // Like upstream: the 10th distinct message is the first combined one; later ones update it.
  assert.deepEqual(calls.map((c) => c.verb), [...Array(10).fill('create'), 'patch', 'patch']);
  assert.equal((calls[8].body as unknown as CoreEvent).message, 'volume 8 failed');
  assert.equal((calls[9].body as unknown as CoreEvent).message, '(combined from similar events): volume 9 failed');
  assert.equal(calls[11].body.message, '(combined from similar events): volume 11 failed');
  assert.equal(calls[11].body.count, 3);
});

test('spam filter: after a burst of 25 per object, events are dropped', async () => {
  const { client, calls } = fakeEventsClient();
  const r = new EventRecorder({ client, component: 'c', host: 'h', logger: silentLogger });
  for (let i = 0; i < 30; i++) {
    r.event(pod, EventType.Normal, 'Tick', 'same');
  }
  r.event({ ...pod, metadata: { ...pod.metadata, name: 'other', uid: 'u2' } }, EventType.Normal, 'Tick', 'same');
  await r.flush();
  assert.equal(calls.length, 26);
  assert.equal(calls[25].verb, 'create');
});

test('a patch of an Event that vanished recreates it; a full queue drops without blocking', async () => {
  const gone = fakeEventsClient({ patchNotFound: true });
  const r = new EventRecorder({ client: gone.client, component: 'c', host: 'h', logger: silentLogger });
  r.event(pod, EventType.Normal, 'X', 'm');
  r.event(pod, EventType.Normal, 'X', 'm');
  await r.flush();
  assert.deepEqual(gone.calls.map((c) => c.verb), ['create', 'patch', 'create']);
  assert.equal(gone.calls[2].body.count, 2);

  const slow = fakeEventsClient({ slow: true });
  const dropped: string[] = [];
  const small = new EventRecorder({ client: slow.client, component: 'c', host: 'h', queueSize: 2, logger: (_l, m) => dropped.push(m) });
  for (let i = 0; i < 5; i++) {
    small.event(pod, EventType.Normal, 'R', `m${i}`);
  }
  await small.shutdown();
  // One in flight plus two queued; the other two are dropped.
  assert.equal(slow.calls.length, 3);
  assert.equal(dropped.filter((m) => m.includes('queue full')).length, 2);
  small.event(pod, EventType.Normal, 'R', 'after shutdown');
  await small.flush();
  assert.equal(slow.calls.length, 3);
});

test('refOf copies a reference or derives one from an object', () => {
  assert.deepEqual(refOf({ kind: 'Pod', name: 'x', namespace: 'y', fieldPath: 'spec.containers{a}' }), { kind: 'Pod', name: 'x', namespace: 'y', fieldPath: 'spec.containers{a}' });
  assert.deepEqual(refOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' } }), { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', namespace: 'n' });
});
