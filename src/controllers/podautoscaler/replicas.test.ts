import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplicaCalculationError, resourceReplicas } from './replicas.ts';
import type { PodSample, PodView } from './replicas.ts';

const now = Date.parse('2026-11-26T10:00:00Z');
const long = '2026-11-26T09:00:00Z';

function pod(name: string, opts: { cpu?: string; phase?: string; ready?: 'True' | 'False'; started?: string; readySince?: string; deleting?: boolean } = {}): PodView {
  return {
    metadata: { name, ...(opts.deleting === true ? { deletionTimestamp: long } : {}) },
    spec: { containers: [{ name: 'c', resources: opts.cpu === undefined ? {} : { requests: { cpu: opts.cpu } } }] },
    status: { phase: opts.phase ?? 'Running', startTime: opts.started ?? long, conditions: [{ type: 'Ready', status: opts.ready ?? 'True', lastTransitionTime: opts.readySince ?? long }] },
  };
}

const samples = (entries: Record<string, number>): Map<string, PodSample> => new Map(Object.entries(entries).map(([k, milli]) => [k, { milli, timestampMs: now - 5000, windowMs: 15000 }]));

test('utilization above target scales up by the ratio over ready pods', () => {
  const pods = ['a', 'b', 'c'].map((n) => pod(n, { cpu: '1' }));
  const r = resourceReplicas({ currentReplicas: 3, resource: 'cpu', target: { utilization: 50 }, pods, samples: samples({ a: 900, b: 900, c: 900 }), nowMs: now });
  assert.deepEqual(r, { replicas: 6, averageMilli: 900, utilization: 90 });
});

test('within the 10% tolerance nothing changes', () => {
  const pods = ['a', 'b'].map((n) => pod(n, { cpu: '1' }));
  assert.equal(resourceReplicas({ currentReplicas: 2, resource: 'cpu', target: { utilization: 50 }, pods, samples: samples({ a: 540, b: 500 }), nowMs: now }).replicas, 2);
});

test('scale down counts a pod without metrics at 100% of its request, so it dampens the change', () => {
  const pods = ['a', 'b', 'c', 'd'].map((n) => pod(n, { cpu: '1' }));
  // Without d: 10% of 50% → 3 pods * 0.2 = 1; with d at 100%: (300 + 1000) / 4000 = 32% → ratio 0.64 → ceil(2.56) = 3.
  assert.equal(resourceReplicas({ currentReplicas: 4, resource: 'cpu', target: { utilization: 50 }, pods, samples: samples({ a: 100, b: 100, c: 100 }), nowMs: now }).replicas, 3);
});

test('scale up counts unready (pending, warming-up) pods at zero; a guess that flips direction keeps the count', () => {
  const pods = [pod('a', { cpu: '1' }), pod('b', { cpu: '1' }), pod('p', { cpu: '1', phase: 'Pending' }), pod('w', { cpu: '1', ready: 'False', started: '2026-11-26T09:59:00Z', readySince: '2026-11-26T09:59:00Z' })];
  // a, b at 100% of a 50% target: ratio 2; with p and w at 0: 2000 / 4000 = 50% → ratio 1 → within tolerance → unchanged.
  assert.equal(resourceReplicas({ currentReplicas: 4, resource: 'cpu', target: { utilization: 50 }, pods, samples: samples({ a: 1000, b: 1000, w: 900 }), nowMs: now }).replicas, 4);
  // a, b at 150%: ratio 3; with p, w at 0: 3000 / 4000 = 75% → ratio 1.5 → ceil(1.5 * 4) = 6.
  assert.equal(resourceReplicas({ currentReplicas: 4, resource: 'cpu', target: { utilization: 50 }, pods, samples: samples({ a: 1500, b: 1500, w: 900 }), nowMs: now }).replicas, 6);
});

test('deleting and failed pods are ignored; a container without a request is an error; no pods is an error', () => {
  const pods = [pod('a', { cpu: '500m' }), pod('gone', { cpu: '500m', deleting: true }), pod('dead', { cpu: '500m', phase: 'Failed' })];
  assert.equal(resourceReplicas({ currentReplicas: 1, resource: 'cpu', target: { utilization: 50 }, pods, samples: samples({ a: 500, gone: 5000, dead: 5000 }), nowMs: now }).replicas, 2);
  assert.throws(() => resourceReplicas({ currentReplicas: 1, resource: 'cpu', target: { utilization: 50 }, pods: [pod('x')], samples: samples({ x: 1 }), nowMs: now }), (e: unknown) => e instanceof ReplicaCalculationError && e.message === 'missing request for cpu in container c of Pod x');
  assert.throws(() => resourceReplicas({ currentReplicas: 1, resource: 'cpu', target: { utilization: 50 }, pods: [], samples: samples({}), nowMs: now }), /no pods returned by selector while calculating replica count/);
  assert.throws(() => resourceReplicas({ currentReplicas: 1, resource: 'cpu', target: { utilization: 50 }, pods: [pod('p', { cpu: '1', phase: 'Pending' })], samples: samples({ p: 1 }), nowMs: now }), /did not receive metrics for targeted pods/);
});

test('an average value target divides the average usage by the target (no requests needed)', () => {
  const pods = ['a', 'b'].map((n) => pod(n));
  const r = resourceReplicas({ currentReplicas: 2, resource: 'memory', target: { averageMilli: 100_000 }, pods, samples: samples({ a: 300_000, b: 100_000 }), nowMs: now });
  assert.deepEqual(r, { replicas: 4, averageMilli: 200_000, utilization: undefined });
});
