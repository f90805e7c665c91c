/**
 * Cron schedules as upstream's CronJob controller parses them (robfig/cron standard parser):
 * five fields (minute hour day-of-month month day-of-week) with lists, ranges, steps, names
 * and `?`, the `@yearly`…`@hourly` descriptors, and an optional `TZ=`/`CRON_TZ=` prefix.
 * Times are computed on the wall clock of the schedule's time zone.
 */

/** A parsed schedule: allowed values per field, and the time zone it runs in. */
export interface Schedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly dom: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly dow: ReadonlySet<number>;
  /** True when day-of-month (resp. day-of-week) was `*` or `?`: then only the other one restricts days. */
  readonly domStar: boolean;
  readonly dowStar: boolean;
  readonly timeZone: string;
}

/** Raised for an unparsable schedule (message like robfig's). */
export class ScheduleError extends Error {}

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseValue(s: string, names: readonly string[] | undefined, base: number): number {
  const i = names?.indexOf(s.toLowerCase()) ?? -1;
  if (i >= 0) {
    return i + base;
  }
  if (!/^\d+$/.test(s)) {
    throw new ScheduleError(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  }
  return Number(s);
}

function parseField(field: string, min: number, max: number, names?: readonly string[], nameBase = min): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) {
      throw new ScheduleError(`too many slashes: ${part}`);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
      star ||= stepText === undefined;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined) {
        throw new ScheduleError(`too many hyphens: ${range}`);
      }
      lo = parseValue(a, names, nameBase);
      hi = b === undefined ? (stepText === undefined ? lo : max) : parseValue(b, names, nameBase);
    }
    const step = stepText === undefined ? 1 : parseValue(stepText, undefined, 0);
    if (lo < min) {
      throw new ScheduleError(`beginning of range (${lo}) below minimum (${min}): ${part}`);
    }
    if (hi > max) {
      throw new ScheduleError(`end of range (${hi}) above maximum (${max}): ${part}`);
    }
    if (lo > hi) {
      throw new ScheduleError(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    }
    if (step === 0) {
      throw new ScheduleError(`step of range should be a positive number: ${part}`);
    }
    for (let v = lo; v <= hi; v += step) {
      set.add(v);
    }
  }
  return { set, star };
}

/** True when `tz` is a time zone this runtime knows. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses `spec` (with `timeZone` from spec.timeZone, default the controller's local zone: UTC). */
export function parseSchedule(spec: string, timeZone = 'UTC'): Schedule {
  let text = spec.trim();
  let tz = timeZone;
  const m = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(text);
  if (m !== null) {
    tz = m[1];
    text = m[2].trim();
  }
  if (!validTimeZone(tz)) {
    throw new ScheduleError(`provided bad location ${tz}: unknown time zone ${tz}`);
  }
  if (text.startsWith('@')) {
    const d = DESCRIPTORS[text];
    if (d === undefined) {
      throw new ScheduleError(`unrecognized descriptor: ${text}`);
    }
    text = d;
  }
  const fields = text.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  }
  const dow = parseField(fields[4], 0, 7, DAYS, 0);
  if (dow.set.has(7)) {
    dow.set.delete(7);
    dow.set.add(0); // 7 is Sunday too
  }
  const dom = parseField(fields[2], 1, 31);
  return {
    minutes: parseField(fields[0], 0, 59).set,
    hours: parseField(fields[1], 0, 23).set,
    dom: dom.set,
    months: parseField(fields[3], 1, 12, MONTHS, 1).set,
    dow: dow.set,
    domStar: dom.star,
    dowStar: dow.star,
    timeZone: tz,
  };
}

interface Wall {
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, tz: string): Wall {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric' });
    formatters.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(ms).map((p) => [p.type, p.value]));
  return { month: Number(parts.month), day: Number(parts.day), weekday: DAYS.indexOf(String(parts.weekday).toLowerCase()), hour: Number(parts.hour), minute: Number(parts.minute) };
}

function dayMatches(s: Schedule, w: Wall): boolean {
  const domOk = s.dom.has(w.day);
  const dowOk = s.dow.has(w.weekday);
  // robfig: when either field is a star, both must match (the star always does); otherwise either may.
  return s.domStar || s.dowStar ? domOk && dowOk : domOk || dowOk;
}

/** The first activation strictly after `afterMs` (ms since epoch, minute precision), or undefined within 5 years. */
export function nextAfter(s: Schedule, afterMs: number): number | undefined {
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  const limit = afterMs + 5 * 366 * 86_400_000;
  while (t <= limit) {
    const w = wallClock(t, s.timeZone);
    if (!s.months.has(w.month) || !dayMatches(s, w)) {
      t += (1440 - (w.hour * 60 + w.minute)) * 60_000;
    } else if (!s.hours.has(w.hour)) {
      t += (60 - w.minute) * 60_000;
    } else if (!s.minutes.has(w.minute)) {
      t += 60_000;
    } else {
      return t;
    }
  }
  return undefined;
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
