/**
 * Server-side transforms of responses into meta.k8s.io shapes: Table (with upstream's
 * columnDefinitions, rows and includeObject handling) and PartialObjectMetadata(List).
 */
import { badRequest } from '../../api/errors.ts';
import type { KubeList, KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { tableConvertorFor } from '../../api/tables/index.ts';

export const IncludeObject = { None: 'None', Metadata: 'Metadata', Object: 'Object' } as const;
export type IncludeObject = (typeof IncludeObject)[keyof typeof IncludeObject];

/** `includeObject` query parameter; default Metadata like upstream. */
export function parseIncludeObject(raw: string | null): IncludeObject {
  if (raw === null || raw === '') {
    return IncludeObject.Metadata;
  }
  if (raw === 'None' || raw === 'Metadata' || raw === 'Object') {
    return raw;
  }
  throw badRequest(`unrecognized includeObject value: "${raw}"`);
}

/** A PartialObjectMetadata carrying the object's full ObjectMeta. */
export function partialObjectMetadata(obj: KubeObject, metaVersion: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: obj.metadata };
}

/** A PartialObjectMetadataList for a list. */
export function partialObjectMetadataList(list: KubeList, metaVersion: string): KubeList {
  return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: list.metadata, items: list.items.map((o) => partialObjectMetadata(o, metaVersion)) };
}

/** Options for building a Table. */
export interface TableOptions {
  readonly metaVersion: string;
  readonly includeObject: IncludeObject;
  /** False for watch events after the first: upstream then sends `columnDefinitions: null`. */
  readonly withColumns: boolean;
  readonly now: Date;
}

function rowObject(obj: KubeObject, desc: ResourceDescription, opts: TableOptions): KubeObject | undefined {
  switch (opts.includeObject) {
    case IncludeObject.None:
      return undefined;
    case IncludeObject.Object:
      return { apiVersion: obj.apiVersion ?? (desc.group === '' ? desc.version : `${desc.group}/${desc.version}`), kind: obj.kind ?? desc.kind, ...obj };
    default:
      return partialObjectMetadata(obj, opts.metaVersion);
  }
}

/** Converts objects of one resource into a Table (list metadata carried through). */
export function toTable(desc: ResourceDescription, objects: readonly KubeObject[], listMeta: Record<string, unknown>, opts: TableOptions): Record<string, unknown> {
  const convertor = tableConvertorFor(desc.group, desc.resource, desc.version);
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: convertor.cells(obj, opts.now) };
    const o = rowObject(obj, desc, opts);
    if (o !== undefined) {
      row.object = o;
    }
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.metaVersion}`,
    metadata: listMeta,
    columnDefinitions: opts.withColumns ? convertor.columns.map((c) => ({ name: c.name, type: c.type, format: c.format, description: c.description, priority: c.priority })) : null,
    rows,
  };
}

/** Table metadata for a list: resourceVersion, continue, remainingItemCount. */
export function listTableMeta(list: KubeList): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (list.metadata.resourceVersion !== undefined) {
    m.resourceVersion = list.metadata.resourceVersion;
  }
  if (list.metadata.continue !== undefined && list.metadata.continue !== '') {
    m.continue = list.metadata.continue;
  }
  if (list.metadata.remainingItemCount !== undefined) {
    m.remainingItemCount = list.metadata.remainingItemCount;
  }
  return m;
}

/** Table metadata for a single object: its resourceVersion. */
export function objectTableMeta(obj: KubeObject): Record<string, unknown> {
  return obj.metadata.resourceVersion === undefined ? {} : { resourceVersion: obj.metadata.resourceVersion };
}
