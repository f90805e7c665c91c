import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../history/pods.ts';
import { planJob } from './plan.ts';
import type { Job } from './types.ts';
import { COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from './types.ts';
import { formatIndexes, parseIndexes } from './indexes.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function job(spec: Job['spec'], status: Job['status'] = {}): Job {
  return { metadata: { name: 'j', namespace: 'ns', uid: 'u1' }, spec: { template: { spec: { containers: [{ name: 'c' }] } }, ...spec }, status };
}

function pod(name: string, phase: string, extra: Partial<Pod['metadata']> = {}): Pod {
  return { metadata: { name, namespace: 'ns', uid: `uid-${name}`, finalizers: [JOB_TRACKING_FINALIZER], ...extra }, status: { phase } };
}

test('a new job creates parallelism pods and sets startTime', () => {
  const plan = planJob(job({ completions: 5, parallelism: 2 }), [], NOW);
  assert.equal(plan.create.length, 2);
  assert.equal(plan.status.active, 2);
  assert.equal(plan.status.startTime, '2026-01-01T00:10:00Z');
});

test('succeeded pods go through uncountedTerminatedPods before being counted', () => {
  const j = job({ completions: 2, parallelism: 2 }, { startTime: 't', succeeded: 0 });
  const p = pod('a', 'Succeeded');
  const first = planJob(j, [p, pod('b', 'Running')], NOW);
  assert.deepEqual(first.status.uncountedTerminatedPods, { succeeded: ['uid-a'] });
  assert.equal(first.status.succeeded, undefined, 'omitted while zero, as upstream');
  assert.deepEqual(first.removeFinalizers, ['a']);
  assert.equal(first.create.length, 0, 'one still needed and one active');
  const second = planJob(job(j.spec, first.status), [{ ...p, metadata: { ...p.metadata, finalizers: [] } }, pod('b', 'Running')], NOW);
  assert.equal(second.status.succeeded, 1);
  assert.deepEqual(second.status.uncountedTerminatedPods, {});
});

test('reaching completions adds SuccessCriteriaMet, then Complete once pods settle', () => {
  const j = job({ completions: 1 }, { startTime: 't', succeeded: 1 });
  const plan = planJob(j, [], NOW);
  const types = plan.status.conditions?.map((c) => c.type);
  assert.deepEqual(types, ['SuccessCriteriaMet', 'Complete']);
  assert.equal(plan.status.completionTime, '2026-01-01T00:10:00Z');
  assert.ok(plan.events.some((e) => e[1] === 'Completed'));
});

test('exceeding backoffLimit fails the job with BackoffLimitExceeded and deletes active pods', () => {
  const j = job({ completions: 3, backoffLimit: 1 }, { startTime: 't', failed: 2 });
  const plan = planJob(j, [pod('r', 'Running')], NOW);
  assert.equal(plan.status.conditions?.[0].type, 'FailureTarget');
  assert.equal(plan.status.conditions?.[0].reason, 'BackoffLimitExceeded');
  assert.deepEqual(plan.deletePods, ['r']);
  const settled = planJob(job(j.spec, plan.status), [], NOW);
  assert.deepEqual(settled.status.conditions?.map((c) => c.type), ['FailureTarget', 'Failed']);
  assert.equal(settled.status.conditions?.[1].message, 'Job has reached the specified backoff limit');
});

test('failures back off exponentially before new pods', () => {
  const failedPod: Pod = { metadata: { name: 'f', uid: 'uf' }, status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 1, finishedAt: new Date(NOW - 5000).toISOString() } } }] } };
  const plan = planJob(job({ completions: 1 }, { startTime: 't', failed: 1 }), [failedPod], NOW);
  assert.equal(plan.create.length, 0);
  assert.equal(plan.requeueAfterMs, 5000);
  const later = planJob(job({ completions: 1 }, { startTime: 't', failed: 1 }), [failedPod], NOW + 6000);
  assert.equal(later.create.length, 1);
});

test('activeDeadlineSeconds fails the job with DeadlineExceeded', () => {
  const plan = planJob(job({ completions: 1, activeDeadlineSeconds: 60 }, { startTime: new Date(NOW - 61_000).toISOString() }), [], NOW);
  assert.equal(plan.status.conditions?.find((c) => c.type === 'Failed')?.reason, 'DeadlineExceeded');
});

test('podFailurePolicy Ignore does not count, FailJob fails', () => {
  const exit = (code: number): Pod => ({ metadata: { name: `p${code}`, uid: `u${code}`, finalizers: [JOB_TRACKING_FINALIZER] }, status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: code } } }] } });
  const rules = [
    { action: 'Ignore' as const, onExitCodes: { operator: 'In' as const, values: [3] } },
    { action: 'FailJob' as const, onExitCodes: { operator: 'In' as const, values: [42] } },
  ];
  const ignored = planJob(job({ completions: 1, podFailurePolicy: { rules } }, { startTime: 't' }), [exit(3)], NOW);
  assert.deepEqual(ignored.status.uncountedTerminatedPods, {});
  assert.deepEqual(ignored.removeFinalizers, ['p3']);
  const fatal = planJob(job({ completions: 1, podFailurePolicy: { rules } }, { startTime: 't' }), [exit(42)], NOW);
  assert.equal(fatal.status.conditions?.[0].reason, 'PodFailurePolicy');
});

test('indexed jobs create the missing indexes and track completedIndexes', () => {
  const done: Pod = { ...pod('j-1-x', 'Succeeded'), metadata: { ...pod('j-1-x', 'Succeeded').metadata, annotations: { [COMPLETION_INDEX]: '1' } } };
  const plan = planJob(job({ completions: 4, parallelism: 2, completionMode: 'Indexed' }, { startTime: 't' }), [done], NOW);
  assert.deepEqual(plan.create, [0, 2]);
  assert.equal(plan.status.completedIndexes, '1');
});

test('index sets round-trip through upstream text form', () => {
  assert.equal(formatIndexes(new Set([0, 1, 2, 4, 6, 7])), '0-2,4,6-7');
  assert.deepEqual([...parseIndexes('0-2,4', 10)], [0, 1, 2, 4]);
});

test('suspend deletes active pods and adds Suspended', () => {
  const plan = planJob(job({ completions: 2, suspend: true }, {}), [pod('a', 'Running')], NOW);
  assert.deepEqual(plan.deletePods, ['a']);
  assert.equal(plan.status.conditions?.[0].type, 'Suspended');
  assert.equal(plan.create.length, 0);
});
