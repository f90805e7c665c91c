/** The Table contract types (meta.k8s.io/v1 TableColumnDefinition and the per-resource convertor). */
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
  /** Cells for one object, in column order (wide ones included, as the server always sends them); `now` makes ages deterministic. */
  cells(obj: KubeObject, now: Date): unknown[];
}
