import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalize, recordRescale } from './normalize.ts';
import type { ScaleHistory } from './normalize.ts';

const t0 = 1_000_000;
const fresh = (): ScaleHistory => ({ recommendations: [], events: [] });
const summary = (n: ReturnType<typeof normalize>): string => `${n.replicas} ${n.ableToScale.reason} ${n.scalingLimited.reason}`;

test('without a behavior: scale-up limited to max(2x, 4), clamped to max', () => {
  assert.equal(summary(normalize({ history: fresh(), behavior: undefined, current: 1, recommended: 10, min: 1, max: 20, nowMs: t0 })), '4 ReadyForNewScale ScaleUpLimit');
  assert.equal(summary(normalize({ history: fresh(), behavior: undefined, current: 5, recommended: 30, min: 1, max: 8, nowMs: t0 })), '8 ReadyForNewScale TooManyReplicas');
  assert.equal(summary(normalize({ history: fresh(), behavior: undefined, current: 5, recommended: 7, min: 1, max: 8, nowMs: t0 })), '7 ReadyForNewScale DesiredWithinRange');
});

test('without a behavior: scale-down takes the highest recommendation of the last 5 minutes', () => {
  const h = fresh();
  normalize({ history: h, behavior: undefined, current: 6, recommended: 6, min: 1, max: 10, nowMs: t0 });
  const soon = normalize({ history: h, behavior: undefined, current: 6, recommended: 2, min: 1, max: 10, nowMs: t0 + 60_000 });
  assert.equal(summary(soon), '6 ScaleDownStabilized DesiredWithinRange');
  const later = normalize({ history: h, behavior: undefined, current: 6, recommended: 2, min: 1, max: 10, nowMs: t0 + 6 * 60_000 });
  assert.equal(summary(later), '2 ReadyForNewScale DesiredWithinRange');
});

test('with a behavior: policies limit each period; the up window keeps the lowest recent recommendation', () => {
  const behavior = {
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
  };
  const h = fresh();
  const up = normalize({ history: h, behavior, current: 2, recommended: 10, min: 1, max: 20, nowMs: t0 });
  assert.equal(summary(up), '4 ReadyForNewScale ScaleUpLimit');
  recordRescale(h, 2, t0, behavior);
  // Within the same minute the 2 pods already added use the budget.
  assert.equal(normalize({ history: h, behavior, current: 4, recommended: 10, min: 1, max: 20, nowMs: t0 + 10_000 }).replicas, 4);
  assert.equal(normalize({ history: h, behavior, current: 4, recommended: 10, min: 1, max: 20, nowMs: t0 + 61_000 }).replicas, 6);
  assert.equal(summary(normalize({ history: fresh(), behavior, current: 10, recommended: 1, min: 1, max: 20, nowMs: t0 })), '5 ReadyForNewScale ScaleDownLimit');
  const disabled = { ...behavior, scaleDown: { selectPolicy: 'Disabled', policies: [] } };
  assert.equal(normalize({ history: fresh(), behavior: disabled, current: 10, recommended: 1, min: 1, max: 20, nowMs: t0 }).replicas, 10);
  const windowed = { ...behavior, scaleUp: { ...behavior.scaleUp, stabilizationWindowSeconds: 120 } };
  const h2 = fresh();
  normalize({ history: h2, behavior: windowed, current: 2, recommended: 2, min: 1, max: 20, nowMs: t0 });
  assert.equal(summary(normalize({ history: h2, behavior: windowed, current: 2, recommended: 3, min: 1, max: 20, nowMs: t0 + 30_000 })), '2 ScaleUpStabilized DesiredWithinRange');
});
