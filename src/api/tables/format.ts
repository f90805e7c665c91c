/**
 * Cell formatting shared by the printers, mirroring upstream's helpers: ages
 * (duration.HumanDuration), label maps and selectors, container lists, access modes, and
 * loose readers for the untyped objects the printers receive.
 */
import type { KubeObject } from '../object.ts';
import { labelSelectorFromMeta } from '../selectors/labels.ts';
import type { LabelSelectorMeta } from '../selectors/labels.ts';
import type { TableColumnDefinition } from './types.ts';

/** Upstream's HumanDuration: 5s, 10m, 3h, 2d5h, 3y45d; `<invalid>` for clocks well in the future. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) {
    return '<invalid>';
  }
  if (seconds < 0) {
    return '0s';
  }
  if (seconds < 120) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) {
    return `${minutes}m`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) {
    return `${hours}h`;
  }
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) {
    return `${Math.floor(hours / 24)}d`;
  }
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Parses an RFC 3339 timestamp; undefined when absent or unparsable (a zero time upstream). */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') {
    return undefined;
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** translateTimestampSince: the age of a timestamp, `<unknown>` when it is unset. */
export function since(v: unknown, now: Date): string {
  const t = parseTime(v);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** The AGE cell: age of metadata.creationTimestamp. */
export function age(obj: KubeObject, now: Date): string {
  return since(obj.metadata.creationTimestamp, now);
}

/** Reads a dotted path from an untyped object. */
export function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const step of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

/** A string field, `''` when absent (Go's zero value). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** An integer field, 0 when absent. */
export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

/** An array field, `[]` when absent. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A map field, `{}` when absent. */
export function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Number of keys in a map field (len() of a Go map). */
export function count(v: unknown): number {
  return Object.keys(rec(v)).length;
}

/** labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(v: unknown): string {
  const m = rec(v);
  const keys = Object.keys(m).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${str(m[k])}`).join(',');
}

/** The selector string upstream prints for a metav1.LabelSelector; undefined when invalid. */
function selectorString(v: unknown): string | undefined {
  if (v === undefined || v === null) {
    return '';
  }
  try {
    return labelSelectorFromMeta(v as LabelSelectorMeta).toString();
  } catch {
    return undefined;
  }
}

/** metav1.FormatLabelSelector: `<none>` when empty (or nil), `<error>` when invalid. */
export function formatLabelSelector(v: unknown): string {
  const s = selectorString(v);
  if (s === undefined) {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}

/** LabelSelectorAsSelector(...).String() as the deployment printer uses it: `''` when nil, `<invalid>` when invalid. */
export function plainLabelSelector(v: unknown): string {
  return selectorString(v) ?? '<invalid>';
}

/** layoutContainerCells: comma-joined container names and images. */
export function containerCells(containers: unknown): [string, string] {
  const list = arr(containers).map(rec);
  return [list.map((c) => str(c.name)).join(','), list.map((c) => str(c.image)).join(',')];
}

const accessModeShort: readonly (readonly [string, string])[] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** GetAccessModesAsString: `RWO,ROX,RWX,RWOP` in that fixed order, each once. */
export function accessModes(v: unknown): string {
  const modes = arr(v);
  return accessModeShort.filter(([long]) => modes.includes(long)).map(([, short]) => short).join(',');
}

/** Go's printBool / printBoolPtr: `True` / `False`, `<unset>` for a nil pointer. */
export function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') {
    return '<unset>';
  }
  return v ? 'True' : 'False';
}

/** IntOrString.String(): numbers as digits, strings as-is. */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : str(v);
}

/** A quantity as text (`10Gi`); numbers as their digits; zero value `0`. */
export function quantity(v: unknown): string {
  if (typeof v === 'number') {
    return String(v);
  }
  return typeof v === 'string' && v !== '' ? v : '0';
}

/** `a, b + 2 more...` / `<unset>`: upstream's listWithMoreString. */
export function listWithMore(list: readonly string[], more: boolean, total: number, max: number): string {
  const ret = list.join(',');
  if (more) {
    return `${ret} + ${total - max} more...`;
  }
  return ret === '' ? '<unset>' : ret;
}

/** Joins host and port like Go's net.JoinHostPort (brackets for IPv6). */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const creationTimestampDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** A column definition; `priority` 1 marks the `-o wide` ones. */
export function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The leading NAME column every printer has. */
export const nameColumn: TableColumnDefinition = col('Name', 'string', nameDescription, 0, 'name');
/** The AGE column every printer has. */
export const ageColumn: TableColumnDefinition = col('Age', 'string', creationTimestampDescription);
export const containersColumn: TableColumnDefinition = col('Containers', 'string', 'Names of each container in the template.', 1);
export const imagesColumn: TableColumnDefinition = col('Images', 'string', 'Images referenced by each container in the template.', 1);
