import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { StatusError } from '../../api/errors.ts';
import { openHarness } from './testing/harness.ts';
import type { Harness } from './testing/harness.ts';

async function gone(h: Harness, group: string, resource: string, name: string): Promise<boolean> {
  try {
    await h.registry.get(h.desc(group, resource), 'default', name);
    return false;
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) {
      return true;
    }
    throw err;
  }
}

test('--event-ttl: events of both groups expire after their last write; other objects stay', { timeout: 30_000 }, async () => {
  const h = await openHarness({ eventTtlSeconds: 1 });
  try {
    await h.registry.create(h.desc('', 'namespaces'), undefined, { metadata: { name: 'default' } }, h.ctx());
    const event = { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'm', type: 'Normal' };
    await h.registry.create(h.desc('', 'events'), 'default', event, h.ctx());
    await h.registry.create(h.desc('events.k8s.io', 'events'), 'default', { metadata: { name: 'e2' }, eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'c', reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal', regarding: { kind: 'Pod', name: 'p', namespace: 'default' } }, h.ctx());
    await h.registry.create(h.desc('', 'configmaps'), 'default', { metadata: { name: 'cm' }, data: { a: 'b' } }, h.ctx());
    // Wait for the expiry itself (bounded by the test timeout), not for a fixed time.
    while (!(await gone(h, '', 'events', 'e1')) || !(await gone(h, 'events.k8s.io', 'events', 'e2'))) {
      await sleep(200);
    }
    assert.equal(await gone(h, '', 'configmaps', 'cm'), false);
  } finally {
    await h.close();
  }
});
