import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultQps, leaseRenewIntervalMs, parseGoDuration } from './config.ts';
import { rfc3339Now } from '../api/time.ts';
import { Rotation } from './rotation.ts';

test('every member is visited once per period, spread evenly over the ticks', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const visits: number[][] = [];
  let current: number[] = [];
  const r = new Rotation<number>(1000, 100, (m) => current.push(m));
  for (let i = 0; i < 50; i++) {
    r.add(i, i);
  }
  r.start(0);
  for (let tick = 0; tick < 20; tick++) {
    t.mock.timers.tick(tick === 0 ? 0 : 100);
    visits.push(current);
    current = [];
  }
  r.stop();
  const firstPeriod = visits.slice(0, 10);
  assert.deepEqual(firstPeriod.map((v) => v.length), Array(10).fill(5), '50 members over 10 buckets');
  assert.deepEqual(firstPeriod.flat().sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(visits.slice(10, 20), firstPeriod, 'the next period repeats the same order');
  t.mock.timers.tick(1000);
  assert.equal(current.length, 0, 'stop() ends the visits');
});

test('Go durations, lease renew interval, QPS sized to the fleet, whole-second times', () => {
  assert.equal(parseGoDuration('5m'), 300_000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('5'), /invalid duration/);
  assert.throws(() => parseGoDuration(''), /invalid duration/);
  assert.equal(leaseRenewIntervalMs(40), 10_000);
  assert.equal(defaultQps(3, 40, 300_000), 51, 'a small fleet: about the 50 of any component');
  assert.ok(defaultQps(5000, 40, 300_000) >= 5000 / 10 * 2);
  assert.equal(rfc3339Now(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05Z');
});
