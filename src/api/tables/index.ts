/**
 * Server-side Table output (meta.k8s.io/v1 Table): columns and cells per resource, as
 * upstream's printers produce them. The tables module owns this folder; this first body
 * gives every resource upstream's default NAME / AGE columns.
 */
import type { KubeObject } from '../object.ts';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableConvertor {
  readonly columns: readonly TableColumnDefinition[];
  /** Cells for one object, in column order; `now` makes ages deterministic. */
  cells(obj: KubeObject, now: Date): unknown[];
}

/** Upstream's age format: 5s, 10m, 3h, 2d5h, ... */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) {
    return `${s}s`;
  }
  const m = Math.floor(s / 60);
  if (m < 10) {
    return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  }
  if (m < 180) {
    return `${m}m`;
  }
  const h = Math.floor(m / 60);
  if (h < 8) {
    return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  }
  if (h < 48) {
    return `${h}h`;
  }
  const d = Math.floor(h / 24);
  if (d < 8) {
    return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  }
  if (d < 365 * 2) {
    return `${d}d`;
  }
  const y = Math.floor(d / 365);
  return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
}

const defaultConvertor: TableConvertor = {
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
  ],
  cells: (obj) => [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? ''],
};

/** The table convertor for a resource (`group`, plural `resource`). */
export function tableConvertorFor(_group: string, _resource: string): TableConvertor {
  return defaultConvertor;
}
