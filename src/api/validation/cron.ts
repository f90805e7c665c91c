/**
 * Standard cron schedules as upstream parses them (robfig/cron v3 ParseStandard): five
 * fields, `@hourly`-style descriptors, `@every <duration>`, optional `TZ=`/`CRON_TZ=`
 * prefix, with robfig's error messages. Also computes the next activation (UTC).
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const days: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const fieldBounds: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: days },
];

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A parsed schedule: allowed values per field, or a fixed interval for `@every`. */
export interface CronSchedule {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  /** robfig: when either day field is `*`, both must match; otherwise either may. */
  domStar: boolean;
  dowStar: boolean;
  /** `@every` interval in milliseconds, when the schedule is an interval. */
  everyMs?: number;
  /** The `TZ=` location, if one was given. */
  location?: string;
}

/** Thrown with robfig/cron's message. */
export class CronParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronParseError';
  }
}

function atoi(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) {
    throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  }
  const n = Number.parseInt(expr, 10);
  if (n < 0) {
    throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  }
  return n;
}

function intOrName(expr: string, names: Record<string, number> | undefined): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : atoi(expr);
}

function parseRange(expr: string, b: Bounds, into: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0], b.names);
    if (lowAndHigh.length === 1) {
      end = start;
    } else if (lowAndHigh.length === 2) {
      end = intOrName(lowAndHigh[1], b.names);
    } else {
      throw new CronParseError(`too many hyphens: ${expr}`);
    }
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1]);
    if (single) {
      end = b.max;
    }
    if (step > 1) {
      star = false;
    }
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) {
    throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  }
  if (end > b.max) {
    throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  }
  if (start > end) {
    throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  }
  if (step === 0) {
    throw new CronParseError(`step of range should be a positive number: ${expr}`);
  }
  for (let v = start; v <= end; v += step) {
    into.add(v);
  }
  return star;
}

function parseField(field: string, b: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    star = parseRange(part, b, values) || star;
  }
  return { values, star };
}

/** Go duration syntax (`1h30m`, `90s`, `1.5h`) in milliseconds. */
function parseGoDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  if (s === '0') {
    return 0;
  }
  let total = 0;
  let pos = 0;
  re.lastIndex = 0;
  while (pos < s.length) {
    const m = re.exec(s);
    if (m === null) {
      throw new CronParseError(`failed to parse duration ${s}: time: invalid duration ${JSON.stringify(s)}`);
    }
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (s.length === 0) {
    throw new CronParseError(`failed to parse duration ${s}: time: invalid duration ""`);
  }
  return total;
}

/** True when the IANA time zone name is known to this runtime. */
export function isKnownTimeZone(tz: string): boolean {
  if (tz === 'UTC' || tz === 'Local') {
    return true;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses a standard cron spec or throws CronParseError with robfig's message. */
export function parseCronSchedule(input: string): CronSchedule {
  let spec = input;
  if (spec.length === 0) {
    throw new CronParseError('empty spec string');
  }
  let location: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const name = space < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, space);
    if (!isKnownTimeZone(name)) {
      throw new CronParseError(`provided bad location ${name}: unknown time zone ${name}`);
    }
    location = name;
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const everyMs = parseGoDuration(spec.slice('@every '.length));
      const all = parseField('*', fieldBounds[0]).values;
      return { minute: all, hour: new Set(), dom: new Set(), month: new Set(), dow: new Set(), domStar: true, dowStar: true, everyMs, location };
    }
    const expanded = descriptors[spec];
    if (expanded === undefined) {
      throw new CronParseError(`unrecognized descriptor: ${spec}`);
    }
    spec = expanded;
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  }
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, fieldBounds[i]));
  return { minute: minute.values, hour: hour.values, dom: dom.values, month: month.values, dow: dow.values, domStar: dom.star, dowStar: dow.star, location };
}

interface WallClock {
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of `ms` in time zone `tz` (cron fields are matched on the zone's wall clock). */
function wallClock(ms: number, tz: string): WallClock {
  let f = wallFormatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric' });
    wallFormatters.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(ms).map((p) => [p.type, p.value]));
  return { month: Number(parts.month), day: Number(parts.day), weekday: weekdays.indexOf(String(parts.weekday).toLowerCase()), hour: Number(parts.hour), minute: Number(parts.minute) };
}

function dayMatches(s: CronSchedule, w: WallClock): boolean {
  const domOk = s.dom.has(w.day);
  const dowOk = s.dow.has(w.weekday);
  return s.domStar || s.dowStar ? domOk && dowOk : domOk || dowOk;
}

/**
 * The first activation strictly after `after` (minute precision), on the wall clock of the
 * schedule's `TZ=` location, else `timeZone` (a CronJob's spec.timeZone), else UTC; undefined
 * when nothing matches within five years (e.g. Feb 30).
 */
export function nextCronTime(s: CronSchedule, after: Date, timeZone = 'UTC'): Date | undefined {
  const afterMs = after.getTime();
  if (s.everyMs !== undefined) {
    return new Date(afterMs + Math.max(1000, s.everyMs));
  }
  const tz = s.location ?? timeZone;
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  const limit = afterMs + 5 * 366 * 86_400_000;
  while (t <= limit) {
    const w = wallClock(t, tz);
    if (!s.month.has(w.month) || !dayMatches(s, w)) {
      t += (1440 - (w.hour * 60 + w.minute)) * 60_000;
    } else if (!s.hour.has(w.hour)) {
      t += (60 - w.minute) * 60_000;
    } else if (!s.minute.has(w.minute)) {
      t += 60_000;
    } else {
      return new Date(t);
    }
  }
  return undefined;
}
