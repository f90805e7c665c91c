import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCriLogLine } from './streams.ts';

test('CRI log lines parse into time, stream, partial flag and content', () => {
  assert.deepEqual(parseCriLogLine('2026-11-25T17:13:23.866179066+00:00 stdout F line1'), { time: '2026-11-25T17:13:23.866179066+00:00', stream: 'stdout', full: true, content: 'line1' });
  assert.deepEqual(parseCriLogLine('2026-11-25T17:13:23Z stderr P part with  spaces'), { time: '2026-11-25T17:13:23Z', stream: 'stderr', full: false, content: 'part with  spaces' });
  assert.deepEqual(parseCriLogLine('2026-11-25T17:13:23Z stdout F '), { time: '2026-11-25T17:13:23Z', stream: 'stdout', full: true, content: '' });
  assert.equal(parseCriLogLine('garbage'), undefined);
});
