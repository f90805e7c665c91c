/**
 * The building blocks every describer uses, as kubectl's describe package has them: a prefix
 * writer (two spaces per level, laid out by a tabwriter at the end), Labels/Annotations/
 * Tolerations blocks, the Events table, RFC1123Z times and small readers for untyped objects.
 */
import { humanDuration } from '../../api/tables/format.ts';
import { tabwriterFormat } from './tabwriter.ts';

/** A loosely typed JSON object. */
export type Obj = Record<string, unknown>;

/** Reads `o.a.b.c` from an untyped object. */
export function at(o: unknown, ...path: readonly (string | number)[]): unknown {
  let v: unknown = o;
  for (const p of path) {
    if (v === null || typeof v !== 'object') {
      return undefined;
    }
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A string field ('' when absent). */
export function str(o: unknown, ...path: readonly (string | number)[]): string {
  const v = at(o, ...path);
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** An array field ([] when absent). */
export function arr(o: unknown, ...path: readonly (string | number)[]): Obj[] {
  const v = at(o, ...path);
  return Array.isArray(v) ? (v as Obj[]) : [];
}

/** A string map field ({} when absent). */
export function map(o: unknown, ...path: readonly (string | number)[]): Record<string, string> {
  const v = at(o, ...path);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/** A number field (0 when absent), as Go's zero value. */
export function num(o: unknown, ...path: readonly (string | number)[]): number {
  const v = at(o, ...path);
  return typeof v === 'number' ? v : 0;
}

/** Go's sort.Strings order (bytewise). */
export function sortedKeys(m: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A timestamp as Go's time.RFC1123Z in the local zone, as kubectl prints it (`Wed, 25 Nov 2026 16:04:29 +0000`). */
export function rfc1123z(timestamp: string): string {
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) {
    return timestamp;
  }
  const two = (n: number): string => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const zone = `${offset < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offset) / 60))}${two(Math.abs(offset) % 60)}`;
  return `${days[d.getDay()] ?? ''}, ${two(d.getDate())} ${months[d.getMonth()] ?? ''} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${zone}`;
}

/** translateTimestampSince: `<unknown>` for no time, else the human age. */
export function since(timestamp: string, now = Date.now()): string {
  if (timestamp === '') {
    return '<unknown>';
  }
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** kubectl's PrefixWriter over a tabwriter: `write(level, text)` indents by two spaces per level. */
export class DescribeWriter {
  private buf = '';

  write(level: number, text: string): void {
    this.buf += '  '.repeat(level) + text;
  }

  /** fmt.Fprintln: the line plus a newline, no indentation. */
  line(text: string): void {
    this.buf += `${text}\n`;
  }

  /** The laid-out text (tabwriter applied). */
  toString(): string {
    return tabwriterFormat(this.buf);
  }
}

/** Annotations kubectl never shows. */
const skipAnnotations = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const maxAnnotationLen = 140;

/** `Labels:  a=b` then one `key=value` per line, `<none>` when empty. */
export function printLabels(w: DescribeWriter, title: string, labels: Readonly<Record<string, string>>, initialIndent = '', innerIndent = '\t'): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  const keys = sortedKeys(labels);
  if (keys.length === 0) {
    w.line('<none>');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) {
      w.write(0, initialIndent + innerIndent);
    }
    w.write(0, `${k}=${labels[k] ?? ''}\n`);
  });
}

/** Annotations as kubectl prints them (long or multi-line values on their own lines, shortened to 138 characters). */
export function printAnnotations(w: DescribeWriter, title: string, annotations: Readonly<Record<string, string>>): void {
  w.write(0, `${title}:\t`);
  const keys = sortedKeys(annotations).filter((k) => !skipAnnotations.has(k));
  if (keys.length === 0) {
    w.line('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(0, '\t');
    }
    const value = (annotations[key] ?? '').replace(/\n$/, '');
    if (value.length + key.length + 2 > maxAnnotationLen || value.includes('\n')) {
      w.write(0, `${key}:\n`);
      for (const s of value.split('\n')) {
        w.write(0, `\t  ${s.length > maxAnnotationLen - 2 ? `${s.slice(0, maxAnnotationLen - 2)}...` : s}\n`);
      }
    } else {
      w.write(0, `${key}: ${value}\n`);
    }
  });
}

/** Tolerations sorted by key: `key=value:Effect op=Exists for 300s`. */
export function printTolerations(w: DescribeWriter, title: string, tolerations: readonly Obj[], initialIndent = '', innerIndent = '\t'): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  if (tolerations.length === 0) {
    w.line('<none>');
    return;
  }
  const sorted = [...tolerations].sort((a, b) => (str(a, 'key') < str(b, 'key') ? -1 : str(a, 'key') > str(b, 'key') ? 1 : 0));
  sorted.forEach((t, i) => {
    if (i !== 0) {
      w.write(0, initialIndent + innerIndent);
    }
    let s = str(t, 'key');
    if (str(t, 'value') !== '') {
      s += `=${str(t, 'value')}`;
    }
    if (str(t, 'effect') !== '') {
      s += `:${str(t, 'effect')}`;
    }
    if (str(t, 'operator') === 'Exists' && str(t, 'value') === '') {
      s += str(t, 'key') !== '' || str(t, 'effect') !== '' ? ' op=Exists' : 'op=Exists';
    }
    if (typeof at(t, 'tolerationSeconds') === 'number') {
      s += ` for ${num(t, 'tolerationSeconds')}s`;
    }
    w.write(0, `${s}\n`);
  });
}

/** The Events section: `Events:  <none>` or the Type/Reason/Age/From/Message table ordered by last timestamp. */
export function printEvents(w: DescribeWriter, events: readonly Obj[] | undefined, now = Date.now()): void {
  if (events === undefined) {
    return;
  }
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  const lastSeen = (e: Obj): number => {
    const t = str(e, 'lastTimestamp') || str(e, 'eventTime') || str(e, 'firstTimestamp');
    return t === '' ? 0 : Date.parse(t);
  };
  const sorted = [...events].sort((a, b) => lastSeen(a) - lastSeen(b));
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = str(e, 'eventTime') !== '' ? since(str(e, 'eventTime'), now) : since(str(e, 'firstTimestamp'), now);
    let interval = first;
    if (at(e, 'series') !== undefined && at(e, 'series') !== null) {
      interval = `${since(str(e, 'series', 'lastObservedTime'), now)} (x${num(e, 'series', 'count')} over ${first})`;
    } else if (num(e, 'count') > 1) {
      interval = `${since(str(e, 'lastTimestamp'), now)} (x${num(e, 'count')} over ${first})`;
    }
    const source = str(e, 'source', 'component') || str(e, 'reportingComponent');
    let message = str(e, 'message').trim();
    if (str(e, 'involvedObject', 'fieldPath') !== '') {
      message = `${str(e, 'involvedObject', 'fieldPath')}: ${message}`;
    }
    w.write(1, `${str(e, 'type')}\t${str(e, 'reason')}\t${interval}\t${source}\t${message}\n`);
  }
}

/** `Kind/name` of the controlling owner reference, '' when none. */
export function controllerOf(obj: unknown): string {
  const ref = arr(obj, 'metadata', 'ownerReferences').find((r) => at(r, 'controller') === true);
  return ref ? `${str(ref, 'kind')}/${str(ref, 'name')}` : '';
}

/** `<none>` for an empty string. */
export function orNone(s: string): string {
  return s === '' ? '<none>' : s;
}
