import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedFrequencyRunner } from './runner.ts';
import type { RunReason } from './runner.ts';

test('requests collapse into one run, requests during a run into one more, runs never overlap', async () => {
  const reasons: RunReason[] = [];
  let active = 0;
  let maxActive = 0;
  let release: () => void = () => undefined;
  const started: (() => void)[] = [];
  const runner = new BoundedFrequencyRunner(
    async (reason) => {
      reasons.push(reason);
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => {
        release = r;
        started.shift()?.();
      });
      active--;
    },
    { minIntervalMs: 5, maxIntervalMs: 3_600_000 },
  );
  const firstStarted = new Promise<void>((r) => started.push(r));
  for (let i = 0; i < 20; i++) {
    runner.request();
  }
  await firstStarted;
  const secondStarted = new Promise<void>((r) => started.push(r));
  for (let i = 0; i < 20; i++) {
    runner.request();
  }
  release();
  await secondStarted;
  release();
  await runner.stop();
  assert.deepEqual(reasons, ['requested', 'requested']);
  assert.equal(maxActive, 1);
});

test('a failed run is retried without a new request', async () => {
  const reasons: RunReason[] = [];
  let done: () => void = () => undefined;
  const retried = new Promise<void>((r) => {
    done = r;
  });
  const runner = new BoundedFrequencyRunner(
    (reason) => {
      reasons.push(reason);
      if (reasons.length === 1) {
        return Promise.reject(new Error('nft said no'));
      }
      done();
      return Promise.resolve();
    },
    { minIntervalMs: 1, maxIntervalMs: 3_600_000, retryMs: 1 },
  );
  runner.request();
  await retried;
  await runner.stop();
  assert.deepEqual(reasons, ['requested', 'retry']);
});
