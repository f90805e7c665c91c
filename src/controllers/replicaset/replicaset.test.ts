import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorFromSet } from '../../api/selectors/index.ts';
import { slowStartBatch } from './controller.ts';
import { Expectations } from '../history/expectations.ts';
import { compareForDeletion } from './pods.ts';
import type { Pod } from './pods.ts';
import { calculateStatus } from './status.ts';

test('slow start: batches 1, 2, 4, ... and stops after the first failing batch', async () => {
  let calls = 0;
  const ok = await slowStartBatch(10, async () => {
    calls++;
  });
  assert.deepEqual([ok.done, calls], [10, 10]);
  calls = 0;
  const failing = await slowStartBatch(10, async () => {
    calls++;
    if (calls === 2) {
      throw new Error('quota');
    }
  });
  // batch 1 (ok), batch 2 (one fails): nothing after that.
  assert.equal(calls, 3);
  assert.equal(failing.done, 2);
  assert.match(String(failing.error), /quota/);
});

test('expectations hold back a controller until its creations and deletions are observed', () => {
  const e = new Expectations();
  e.expect('ns/rs', 2, ['ns/p1']);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  e.creationObserved('ns/rs');
  e.deletionObserved('ns/rs', 'ns/p1');
  e.deletionObserved('ns/rs', 'ns/p1');
  assert.equal(e.satisfied('ns/rs'), true);
});

const pod = (name: string, extra: Partial<Pod>): Pod => ({ metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z', ...extra.metadata }, spec: extra.spec, status: extra.status });

test('deletion order: unassigned, pending, not ready, then newest first', () => {
  const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  const pods = [
    pod('old-ready', { spec: { nodeName: 'n' }, status: ready }),
    pod('new-ready', { metadata: { name: 'new-ready', creationTimestamp: '2026-01-02T00:00:00Z' }, spec: { nodeName: 'n' }, status: ready }),
    pod('unready', { spec: { nodeName: 'n' }, status: { phase: 'Running' } }),
    pod('pending', { spec: { nodeName: 'n' }, status: { phase: 'Pending' } }),
    pod('unassigned', { status: { phase: 'Pending' } }),
  ];
  assert.deepEqual([...pods].sort(compareForDeletion).map((p) => p.metadata.name), ['unassigned', 'pending', 'unready', 'new-ready', 'old-ready']);
});

test('status counts ready, available (minReadySeconds) and fully labelled pods; zeros are omitted', () => {
  const justReady = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] };
  const longReady = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' }] };
  const s = calculateStatus([pod('a', { metadata: { name: 'a', labels: { app: 'x' } }, status: justReady }), pod('b', { status: longReady })], labelSelectorFromSet({ app: 'x' }), 30, 4, []);
  assert.deepEqual(s, { replicas: 2, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 });
  assert.deepEqual(calculateStatus([], labelSelectorFromSet({}), 0, 1, undefined), { replicas: 0, observedGeneration: 1 });
});
