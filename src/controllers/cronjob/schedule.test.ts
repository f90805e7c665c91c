import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleError, mostRecent, nextAfter, parseSchedule } from './schedule.ts';

const at = (s: string): number => Date.parse(s);
const iso = (ms: number | undefined): string => (ms === undefined ? 'none' : new Date(ms).toISOString());

test('every minute and steps', () => {
  assert.equal(iso(nextAfter(parseSchedule('* * * * *'), at('2026-01-01T00:00:30Z'))), '2026-01-01T00:01:00.000Z');
  assert.equal(iso(nextAfter(parseSchedule('*/15 * * * *'), at('2026-01-01T00:16:00Z'))), '2026-01-01T00:30:00.000Z');
  assert.equal(iso(nextAfter(parseSchedule('5-10/5 2 * * *'), at('2026-01-01T02:06:00Z'))), '2026-01-01T02:10:00.000Z');
});

test('descriptors, names, day-of-month/day-of-week semantics', () => {
  assert.equal(iso(nextAfter(parseSchedule('@hourly'), at('2026-01-01T00:00:00Z'))), '2026-01-01T01:00:00.000Z');
  assert.equal(iso(nextAfter(parseSchedule('@monthly'), at('2026-01-15T00:00:00Z'))), '2026-02-01T00:00:00.000Z');
  // 2026-01-01 is a Thursday: the next Monday is the 5th.
  assert.equal(iso(nextAfter(parseSchedule('0 9 * * MON'), at('2026-01-01T00:00:00Z'))), '2026-01-05T09:00:00.000Z');
  // Both restricted: either matches (the 3rd, before Monday the 5th).
  assert.equal(iso(nextAfter(parseSchedule('0 0 3 * 1'), at('2026-01-01T00:00:00Z'))), '2026-01-03T00:00:00.000Z');
  assert.equal(iso(nextAfter(parseSchedule('0 0 29 2 *'), at('2026-03-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
});

test('time zones via TZ= and timeZone', () => {
  assert.equal(iso(nextAfter(parseSchedule('0 9 * * *', 'Asia/Tokyo'), at('2026-01-01T00:00:00Z'))), '2026-01-02T00:00:00.000Z');
  assert.equal(iso(nextAfter(parseSchedule('TZ=America/New_York 0 9 * * *'), at('2026-07-01T00:00:00Z'))), '2026-07-01T13:00:00.000Z');
});

test('bad schedules are rejected', () => {
  assert.throws(() => parseSchedule('* * * *'), ScheduleError);
  assert.throws(() => parseSchedule('61 * * * *'), /above maximum/);
  assert.throws(() => parseSchedule('@fortnightly'), /unrecognized descriptor/);
  assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus'), /unknown time zone/);
});

test('mostRecent finds the latest missed activation and the next one', () => {
  const r = mostRecent(parseSchedule('*/10 * * * *'), at('2026-01-01T00:05:00Z'), at('2026-01-01T00:35:00Z'));
  assert.equal(iso(r.last), '2026-01-01T00:30:00.000Z');
  assert.equal(r.missed, 3);
  assert.equal(iso(r.next), '2026-01-01T00:40:00.000Z');
  const many = mostRecent(parseSchedule('* * * * *'), at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:30Z'));
  assert.equal(iso(many.last), '2026-01-02T00:00:00.000Z');
  assert.ok(many.missed > 100);
});

test('jobs are named <cronjob>-<scheduled minutes since epoch> and carry the scheduled timestamp', async () => {
  const { jobFromTemplate, jobNameFor, SCHEDULED_TIMESTAMP_ANNOTATION } = await import('./controller.ts');
  const t = at('2026-01-01T00:05:00Z');
  assert.equal(jobNameFor('hello', t), `hello-${t / 60_000}`);
  const job = jobFromTemplate({ metadata: { name: 'hello', namespace: 'ns', uid: 'u' }, spec: { schedule: '* * * * *', jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { template: { spec: {} } } } } }, t);
  assert.equal(job.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], '2026-01-01T00:05:00Z');
  assert.deepEqual(job.metadata.labels, { a: 'b' });
  assert.equal(job.metadata.ownerReferences?.[0].kind, 'CronJob');
  assert.equal(job.metadata.ownerReferences?.[0].controller, true);
});
