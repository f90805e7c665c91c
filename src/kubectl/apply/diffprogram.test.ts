import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffCommand } from './diffprogram.ts';

test('diff -u -N by default, the directories last', () => {
  assert.deepEqual(diffCommand({}, '/tmp/LIVE-1', '/tmp/MERGED-2'), { program: 'diff', args: ['-u', '-N', '/tmp/LIVE-1', '/tmp/MERGED-2'] });
});

test('KUBECTL_EXTERNAL_DIFF: first word the program, safe words appended after the directories, others dropped', () => {
  const c = diffCommand({ KUBECTL_EXTERNAL_DIFF: 'colordiff -N -u --color=always $(rm)' }, 'a', 'b');
  assert.equal(c.program, 'colordiff');
  assert.deepEqual(c.args, ['a', 'b', '-N', '-u', '--color=always']);
});
