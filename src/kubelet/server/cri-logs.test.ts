import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCriLine, renderLines } from './cri-logs.ts';
import type { LogLine } from './cri-logs.ts';

const lines = (text: string): LogLine[] => text.split('\n').filter((l) => l !== '').map((l) => parseCriLine(l)).filter((l): l is LogLine => l !== undefined);

test('partial lines are joined; timestamps prefix each line', () => {
  const input = lines('2026-01-01T00:00:00.1Z stdout P hel\n2026-01-01T00:00:00.2Z stdout F lo\n2026-01-01T00:00:01.0Z stderr F oops\n');
  assert.deepEqual(renderLines(input, {}), ['hello\n', 'oops\n']);
  assert.deepEqual(renderLines(input, { timestamps: true }), ['2026-01-01T00:00:00.1Z hello\n', '2026-01-01T00:00:01.0Z oops\n']);
});

test('sinceMs drops older lines; malformed lines are skipped', () => {
  const input = lines('2026-01-01T00:00:00Z stdout F old\ngarbage\n2026-01-01T00:01:00Z stdout F new\n');
  assert.equal(input.length, 2);
  assert.deepEqual(renderLines(input, { sinceMs: Date.parse('2026-01-01T00:00:30Z') }), ['new\n']);
});

test('an empty full line is an empty output line', () => {
  assert.deepEqual(renderLines(lines('2026-01-01T00:00:00Z stdout F \n'), {}), ['\n']);
});
