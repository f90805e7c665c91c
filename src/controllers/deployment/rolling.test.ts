import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from './util.ts';
import { computeHash, equalIgnoreHash, maxSurge, maxUnavailable } from './util.ts';
import { newRSNewReplicas, planOldScaleDown } from './rolling.ts';

const dep = (replicas: number, surge: number | string, unavailable: number | string): Deployment => ({
  metadata: { name: 'web', generation: 2 },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } },
});
const rs = (name: string, size: number, available: number, created: string): ReplicaSet => ({
  metadata: { name, creationTimestamp: created },
  spec: { replicas: size },
  status: { replicas: size, availableReplicas: available },
});

test('fenceposts: percentages round surge up and unavailable down; both zero means one unavailable', () => {
  assert.equal(maxSurge(dep(10, '25%', '25%')), 3);
  assert.equal(maxUnavailable(dep(10, '25%', '25%')), 2);
  assert.equal(maxUnavailable(dep(3, 0, 0)), 1);
  assert.equal(maxUnavailable(dep(2, 0, 5)), 2);
});

test('the new replica set grows only up to replicas + maxSurge in total', () => {
  const d = dep(10, 2, 0);
  const old = rs('old', 10, 10, '2026-01-01T00:00:00Z');
  const fresh = rs('new', 0, 0, '2026-01-02T00:00:00Z');
  assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 2);
  const grown = rs('new', 2, 0, '2026-01-02T00:00:00Z');
  assert.equal(newRSNewReplicas(d, [old, grown], grown), 2);
});

test('old replica sets shrink only while availability stays at replicas - maxUnavailable', () => {
  const d = dep(10, 0, 2);
  const old = rs('old', 10, 10, '2026-01-01T00:00:00Z');
  const fresh = rs('new', 0, 0, '2026-01-02T00:00:00Z');
  assert.deepEqual(planOldScaleDown(d, [old, fresh], [old], fresh).map((s) => s.to), [8]);
  // New pods not yet available: nothing more may go.
  const old8 = rs('old', 8, 8, '2026-01-01T00:00:00Z');
  const new2 = rs('new', 2, 0, '2026-01-02T00:00:00Z');
  assert.deepEqual(planOldScaleDown(d, [old8, new2], [old8], new2), []);
  // Unavailable old pods are cleaned up first.
  const sick = rs('old', 8, 5, '2026-01-01T00:00:00Z');
  const steps = planOldScaleDown(d, [sick, new2], [sick], new2);
  assert.ok(steps.every((s) => s.to >= 5), JSON.stringify(steps.map((s) => s.to)));
});

test('a replica set whose status still counts pods above its new size is not scaled down twice', () => {
  // 50 replicas, maxUnavailable 12, maxSurge 13: the first pass took old from 50 to 38, its status
  // still says 50 available; 5 new pods turned available meanwhile.
  const d = dep(50, 13, 12);
  const old = rs('old', 38, 50, '2026-01-01T00:00:00Z');
  const fresh = rs('new', 13, 5, '2026-01-02T00:00:00Z');
  const steps = planOldScaleDown(d, [old, fresh], [old], fresh);
  // Really available: at most 38 old + 5 new = 43; the bound is 38, so old may go to 33, not lower.
  assert.deepEqual(steps.map((s) => s.to), [33]);
});

test('template hash ignores key order; equality ignores the pod-template-hash label', () => {
  const a = { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const b = { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { app: 'w' } } };
  assert.equal(computeHash(a, undefined), computeHash(b, undefined));
  assert.notEqual(computeHash(a, undefined), computeHash(a, 1));
  assert.match(computeHash(a, undefined), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.ok(equalIgnoreHash(a, { metadata: { labels: { app: 'w', 'pod-template-hash': 'x' } }, spec: b.spec }));
  assert.ok(!equalIgnoreHash(a, { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'httpd' }] } }));
});
