import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from './log.ts';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter } from './ratelimiter.ts';
import { runWorkers } from './workers.ts';
import { WorkQueue } from './workqueue.ts';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('duplicates collapse while queued', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
  q.shutDown();
});

test('a key in flight is not handed out again; re-add is processed after done', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  const first = await q.get();
  assert.equal(first, 'a');
  q.add('a');
  assert.equal(q.len(), 0, 'in-flight key must not be queued');
  let second: string | undefined;
  void q.get().then((k) => {
    second = k;
  });
  await tick();
  assert.equal(second, undefined);
  q.done('a');
  await tick();
  assert.equal(second, 'a');
  q.done('a');
  q.shutDown();
});

test('concurrent workers never process one key twice at once, and every add after a get is seen', async () => {
  const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter(1, 4) });
  const active = new Set<string>();
  let overlaps = 0;
  const processed = new Map<string, number>();
  const adds = new Map<string, number>();
  const workers = runWorkers(
    q,
    4,
    async (key) => {
      if (active.has(key)) {
        overlaps++;
      }
      active.add(key);
      await tick();
      await tick();
      active.delete(key);
      processed.set(key, (processed.get(key) ?? 0) + 1);
    },
    { logger: silentLogger },
  );
  for (let round = 0; round < 50; round++) {
    for (const k of ['a', 'b', 'c']) {
      q.add(k);
      adds.set(k, round);
    }
    await tick();
  }
  await q.shutDownWithDrain();
  await workers;
  assert.equal(overlaps, 0);
  for (const k of ['a', 'b', 'c']) {
    assert.ok((processed.get(k) ?? 0) >= 2, `${k} processed ${processed.get(k)} times`);
  }
});

test('runWorkers: failures requeue rate-limited, success forgets', async () => {
  const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter(1, 10) });
  let calls = 0;
  const requeuesSeen: number[] = [];
  const workers = runWorkers(
    q,
    2,
    async (key) => {
      calls++;
      requeuesSeen.push(q.numRequeues(key));
      if (calls < 3) {
        throw new Error('boom');
      }
      setImmediate(() => q.shutDown());
    },
    { logger: silentLogger },
  );
  q.add('x');
  await workers;
  assert.deepEqual(requeuesSeen, [0, 1, 2]);
  assert.equal(q.numRequeues('x'), 0, 'forgotten after success');
});

test('addAfter delivers later; the sooner of two pending adds wins', async () => {
  const q = new WorkQueue<string>();
  q.addAfter('late', 60_000);
  q.addAfter('late', 5);
  assert.equal(q.len(), 0);
  assert.equal(await q.get(), 'late');
  q.done('late');
  q.shutDown();
});

test('shutDown releases waiting getters; adds afterwards are ignored', async () => {
  const q = new WorkQueue<string>();
  const pending = q.get();
  q.shutDown();
  assert.equal(await pending, undefined);
  q.add('x');
  assert.equal(q.len(), 0);
});

test('shutDownWithDrain waits for in-flight work', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  const k = await q.get();
  let drained = false;
  const d = q.shutDownWithDrain().then(() => {
    drained = true;
  });
  await tick();
  assert.equal(drained, false);
  q.done(k as string);
  await d;
  assert.equal(drained, true);
});

test('metrics hooks see adds, depth and latencies', async () => {
  const seen = { adds: 0, depth: [] as number[], latency: 0, work: 0 };
  const q = new WorkQueue<string>({
    metrics: { adds: () => seen.adds++, depth: (n) => seen.depth.push(n), queueLatencyMs: () => seen.latency++, workDurationMs: () => seen.work++ },
  });
  q.add('a');
  q.add('a');
  q.add('b');
  const k = await q.get();
  q.done(k as string);
  assert.equal(seen.adds, 2);
  assert.deepEqual(seen.depth, [1, 2, 1]);
  assert.equal(seen.latency, 1);
  assert.equal(seen.work, 1);
  q.shutDown();
});

test('rate limiters: exponential per item (capped), bucket, max of both', () => {
  const exp = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
  assert.deepEqual([exp.when('a'), exp.when('a'), exp.when('a'), exp.when('b')], [5, 10, 20, 5]);
  assert.equal(exp.numRequeues('a'), 3);
  exp.forget('a');
  assert.equal(exp.when('a'), 5);
  for (let i = 0; i < 40; i++) {
    exp.when('c');
  }
  assert.equal(exp.when('c'), 1_000_000);
  const bucket = new BucketRateLimiter<string>(10, 2);
  assert.equal(bucket.when('x'), 0);
  assert.equal(bucket.when('y'), 0);
  assert.ok(bucket.when('z') > 50, 'third take within the burst waits ~100ms');
  const max = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter(5, 1000), new BucketRateLimiter(10, 100));
  assert.equal(max.when('k'), 5);
  assert.equal(max.numRequeues('k'), 1);
});
