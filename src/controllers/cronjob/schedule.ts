/**
 * A CronJob's schedule as the controller uses it: parsed by the same robfig-compatible parser
 * that validation uses (src/api/validation/cron.ts), bound to the time zone it runs in
 * (the `TZ=` prefix, else spec.timeZone, else the controller's local zone: UTC).
 */
import { CronParseError, isKnownTimeZone, nextCronTime, parseCronSchedule } from '../../api/validation/cron.ts';
import type { CronSchedule } from '../../api/validation/cron.ts';

/** A parsed schedule and the time zone its wall-clock fields are matched in. */
export interface Schedule {
  readonly cron: CronSchedule;
  readonly timeZone: string;
}

/** Raised for an unparsable schedule (message like robfig's). */
export { CronParseError as ScheduleError };

/** Parses `spec` (with `timeZone` from spec.timeZone, default UTC). */
export function parseSchedule(spec: string, timeZone = 'UTC'): Schedule {
  const cron = parseCronSchedule(spec.trim());
  const tz = cron.location ?? timeZone;
  if (!isKnownTimeZone(tz)) {
    throw new CronParseError(`provided bad location ${tz}: unknown time zone ${tz}`);
  }
  return { cron, timeZone: tz };
}

/** The first activation strictly after `afterMs` (ms since epoch, minute precision), or undefined within 5 years. */
export function nextAfter(s: Schedule, afterMs: number): number | undefined {
  return nextCronTime(s.cron, new Date(afterMs), s.timeZone)?.getTime();
}

/**
 * Upstream's mostRecentScheduleTime: the latest activation in (earliestMs, nowMs], how many
 * activations were missed in that window (capped at `cap`+1), and the next one after now.
 */
export function mostRecent(s: Schedule, earliestMs: number, nowMs: number, cap = 100): { last?: number; missed: number; next?: number } {
  let last: number | undefined;
  let missed = 0;
  let t = nextAfter(s, earliestMs);
  while (t !== undefined && t <= nowMs) {
    last = t;
    missed++;
    if (missed > cap) {
      // Too many to walk: jump to the most recent directly by scanning back from now.
      let probe = nowMs - 60_000;
      let found: number | undefined;
      while (found === undefined && probe > earliestMs) {
        const n = nextAfter(s, probe);
        if (n !== undefined && n <= nowMs) {
          found = n;
        }
        probe -= 3_600_000;
      }
      last = found ?? last;
      break;
    }
    t = nextAfter(s, t);
  }
  return { last, missed, next: nextAfter(s, nowMs) };
}
