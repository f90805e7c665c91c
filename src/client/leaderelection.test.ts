import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conflict, notFound } from '../api/errors.ts';
import { LeaderElector, microTime } from './leaderelection.ts';
import type { Lease } from './leaderelection.ts';
import { silentLogger } from './log.ts';
import type { RestClient } from './rest.ts';

/** Just enough of RestClient for Leases: get/create/update with resourceVersion checks. */
function fakeLeaseClient(): { client: RestClient; lease: () => Lease | undefined; writes: () => number } {
  let stored: Lease | undefined;
  let rv = 0;
  let writes = 0;
  const clone = (l: Lease): Lease => structuredClone(l);
  const client = {
    get: async () => {
      if (stored === undefined) {
        throw notFound('coordination.k8s.io', 'leases', 'lock');
      }
      return clone(stored);
    },
    create: async (_ref: unknown, obj: Lease) => {
      if (stored !== undefined) {
        throw new Error('exists');
      }
      writes++;
      stored = { ...clone(obj), metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      return clone(stored);
    },
    update: async (_ref: unknown, obj: Lease) => {
      if (stored === undefined || obj.metadata.resourceVersion !== stored.metadata.resourceVersion) {
        throw conflict('coordination.k8s.io', 'leases', 'lock', 'the object has been modified; please apply your changes to the latest version and try again');
      }
      writes++;
      stored = { ...clone(obj), metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      return clone(stored);
    },
  };
  return { client: client as unknown as RestClient, lease: () => stored, writes: () => writes };
}

test('microTime has six fractional digits', () => {
  assert.equal(microTime(new Date('2026-01-02T15:04:05.123Z')), '2026-01-02T15:04:05.123000Z');
});

test('timings are validated like upstream', () => {
  const { client } = fakeLeaseClient();
  const callbacks = { onStartedLeading: () => {}, onStoppedLeading: () => {} };
  assert.throws(() => new LeaderElector({ client, namespace: 'ns', name: 'l', identity: 'a', leaseDurationMs: 10_000, renewDeadlineMs: 10_000, callbacks }));
  assert.throws(() => new LeaderElector({ client, namespace: 'ns', name: 'l', identity: 'a', renewDeadlineMs: 2_000, retryPeriodMs: 2_000, callbacks }));
});

test('tryAcquireOrRenew: create, renew keeps acquireTime, a valid lease blocks others, expiry allows takeover', async () => {
  const fake = fakeLeaseClient();
  const mk = (id: string): LeaderElector =>
    new LeaderElector({ client: fake.client, namespace: 'ns', name: 'lock', identity: id, leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100, logger: silentLogger, callbacks: { onStartedLeading: () => {}, onStoppedLeading: () => {} } });
  const a = mk('a');
  const b = mk('b');
  const signal = new AbortController().signal;
  assert.equal(await a.tryAcquireOrRenew(signal), true);
  const first = fake.lease()?.spec;
  assert.equal(first?.holderIdentity, 'a');
  assert.equal(first?.leaseTransitions, 0);
  assert.equal(first?.leaseDurationSeconds, 1);
  assert.equal(await b.tryAcquireOrRenew(signal), false, 'held by a, still valid');
  assert.equal(b.getLeader(), 'a');
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(await a.tryAcquireOrRenew(signal), true);
  assert.equal(fake.lease()?.spec?.acquireTime, first?.acquireTime, 'renewal keeps acquireTime');
  // b only sees the lease as expired a full leaseDuration after it last saw it change.
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(await b.tryAcquireOrRenew(signal), false, 'b saw a new renewTime just now: still valid');
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(await b.tryAcquireOrRenew(signal), true);
  assert.equal(fake.lease()?.spec?.holderIdentity, 'b');
  assert.equal(fake.lease()?.spec?.leaseTransitions, 1);
  assert.equal(await a.tryAcquireOrRenew(signal), false, 'a lost the lease (its fast-path write conflicts, then it sees b)');
  assert.equal(a.isLeader(), false);
});

test('run: one leader at a time; release on stop lets the other in without waiting for expiry', async () => {
  const fake = fakeLeaseClient();
  const leading = new Set<string>();
  const stopped: string[] = [];
  const mk = (id: string): LeaderElector =>
    new LeaderElector({
      client: fake.client,
      namespace: 'ns',
      name: 'lock',
      identity: id,
      leaseDurationMs: 60_000,
      renewDeadlineMs: 600,
      retryPeriodMs: 50,
      logger: silentLogger,
      callbacks: { onStartedLeading: () => void leading.add(id), onStoppedLeading: () => void (leading.delete(id), stopped.push(id)) },
    });
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = mk('a').run(stopA.signal);
  while (!leading.has('a')) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const runB = mk('b').run(stopB.signal);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual([...leading], ['a']);
  stopA.abort();
  await runA;
  assert.equal(fake.lease()?.spec?.holderIdentity, undefined, 'released');
  // The 60 s lease would block b for a minute without the release.
  while (!leading.has('b')) {
    await new Promise((r) => setTimeout(r, 10));
  }
  stopB.abort();
  await runB;
  assert.deepEqual(stopped, ['a', 'b']);
});

test('release retries on a conflict when a renewal landed unseen', async () => {
  const fake = fakeLeaseClient();
  const a = new LeaderElector({ client: fake.client, namespace: 'ns', name: 'lock', identity: 'a', leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100, logger: silentLogger, callbacks: { onStartedLeading: () => {}, onStoppedLeading: () => {} } });
  assert.equal(await a.tryAcquireOrRenew(new AbortController().signal), true);
  // Someone (our own aborted renewal, say) bumps the lease's resourceVersion behind our back.
  const current = fake.lease() as Lease;
  await fake.client.update({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'ns', name: 'lock' }, { ...current, spec: { ...current.spec, renewTime: microTime() } });
  assert.equal(await a.release(), true);
  assert.equal(fake.lease()?.spec?.holderIdentity, undefined);
  assert.equal(fake.lease()?.spec?.leaseDurationSeconds, 1);
});
