import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../job/types.ts';
import { timeLeftMs } from './controller.ts';

const NOW = Date.parse('2026-01-01T00:01:00Z');
const job = (ttl: number | undefined, cond?: string): Job => ({
  metadata: { name: 'j' },
  spec: { ttlSecondsAfterFinished: ttl },
  status: cond === undefined ? {} : { conditions: [{ type: cond, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});

test('a finished job expires ttlSecondsAfterFinished after its terminal condition', () => {
  assert.equal(timeLeftMs(job(100, 'Complete'), NOW), 40_000);
  assert.equal(timeLeftMs(job(0, 'Failed'), NOW), -60_000);
  assert.equal(timeLeftMs(job(100, 'SuccessCriteriaMet'), NOW), undefined, 'not finished yet');
  assert.equal(timeLeftMs(job(undefined, 'Complete'), NOW), undefined, 'no TTL: kept');
});
