import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchedulingQueue } from './queue.ts';
import { makePod } from './plugins/testing.ts';

function clockQueue() {
  let now = 1000;
  const q = new SchedulingQueue({ now: () => now, pluginEvents: new Map([['NodeResourcesFit', new Set(['AssignedPodDelete' as const])]]) });
  return { q, advance: (ms: number) => (now += ms) };
}

test('queue: highest priority first, then oldest', async () => {
  const { q, advance } = clockQueue();
  q.add(makePod('a', { priority: 1 }));
  advance(1);
  q.add(makePod('b', { priority: 5 }));
  advance(1);
  q.add(makePod('c', { priority: 1 }));
  const order = [];
  for (let i = 0; i < 3; i++) {
    const info = await q.pop();
    order.push(info?.pod.metadata.name);
    q.done(info?.key ?? '');
  }
  assert.deepEqual(order, ['b', 'a', 'c']);
});

test('queue: unschedulable pods move only on events their plugins care about, then back off', async () => {
  const { q, advance } = clockQueue();
  q.add(makePod('p'));
  const info = await q.pop();
  assert.ok(info);
  info.unschedulablePlugins = new Set(['NodeResourcesFit']);
  const cycle = q.schedulingCycle;
  q.done(info.key);
  q.addUnschedulable(info, cycle, true);
  assert.equal(q.sizes().unschedulable, 1);
  q.moveAllToActiveOrBackoff('NodeTaintChange');
  assert.equal(q.sizes().unschedulable, 1);
  q.moveAllToActiveOrBackoff('AssignedPodDelete');
  assert.deepEqual({ ...q.sizes(), inFlight: 0 }, { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  advance(999);
  q.flushBackoff();
  assert.equal(q.sizes().active, 0);
  advance(1);
  q.flushBackoff();
  assert.equal(q.tryPop()?.pod.metadata.name, 'p');
});

test('queue: a move event during the cycle sends the failed pod to backoff, not unschedulable', async () => {
  const { q } = clockQueue();
  q.add(makePod('p'));
  const info = await q.pop();
  assert.ok(info);
  const cycle = q.schedulingCycle;
  q.moveAllToActiveOrBackoff('NodeAdd');
  q.addUnschedulable(info, cycle, true, q.done(info.key));
  assert.equal(q.sizes().backoff, 1);
  assert.equal(q.sizes().unschedulable, 0);
});

test('queue: updates to in-flight pods are kept for the retry; deletes drop queued pods; pop waits', async () => {
  const { q } = clockQueue();
  q.add(makePod('p'));
  const info = await q.pop();
  assert.ok(info);
  const newer = { ...info.pod, metadata: { ...info.pod.metadata, labels: { v: '2' } } };
  q.update(newer);
  assert.equal(q.done(info.key), newer);
  const pending = q.pop();
  const late = makePod('late');
  q.add(late);
  assert.equal((await pending)?.pod, late);
  q.add(makePod('gone'));
  q.delete(q.tryPop()?.pod ?? makePod('x'));
  q.close();
  assert.equal(await q.pop(), undefined);
});
