/**
 * Table columns for custom resources from a CRD version's additionalPrinterColumns (NAME
 * first; AGE from metadata.creationTimestamp when none are declared), with cells typed the
 * way apiextensions-apiserver's table convertor types them.
 */
import type { KubeObject } from '../object.ts';
import { compileJsonPath } from './jsonpath.ts';
import type { JsonPath } from './jsonpath.ts';
import { creationTimestampDescription, humanDuration, nameColumn, parseTime } from './format.ts';
import type { TableColumnDefinition, TableConvertor } from './types.ts';

/** apiextensions/v1 CustomResourceColumnDefinition. */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const defaultColumns: readonly PrinterColumn[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: creationTimestampDescription }];

/** Go's fmt.Print of decoded JSON, which upstream uses for `string` columns holding non-strings. */
function goText(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (Array.isArray(v)) {
    return `[${v.map(goText).join(' ')}]`;
  }
  if (v !== null && typeof v === 'object') {
    const m = v as Record<string, unknown>;
    return `map[${Object.keys(m).sort().map((k) => `${k}:${goText(m[k])}`).join(' ')}]`;
  }
  return v === null ? '<nil>' : String(v);
}

/** One cell: null when the path finds nothing or the value does not fit the column type. */
function cellFor(type: string, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) {
    return null;
  }
  switch (type) {
    case 'string':
      return goText(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') {
        return null;
      }
      const t = parseTime(value);
      return t === undefined ? '<invalid>' : humanDuration(now.getTime() - t);
    }
    default:
      return null;
  }
}

/** The convertor for one CRD version's printer columns (`[]` or undefined → the default AGE column). */
export function customResourceTableConvertor(printerColumns: readonly PrinterColumn[] | undefined): TableConvertor {
  const cols = printerColumns === undefined || printerColumns.length === 0 ? defaultColumns : printerColumns;
  const paths: JsonPath[] = [];
  const columns: TableColumnDefinition[] = [nameColumn];
  for (const c of cols) {
    paths.push(compileJsonPath(c.jsonPath));
    columns.push({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description !== undefined && c.description !== '' ? c.description : `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    });
  }
  return {
    columns,
    cells: (obj: KubeObject, now: Date) => [obj.metadata.name ?? '', ...paths.map((p, i) => cellFor(columns[i + 1]?.type ?? 'string', p.find(obj)[0], now))],
  };
}

/** The convertor for `version` of a CRD object (reads spec.versions[].additionalPrinterColumns). */
export function crdTableConvertor(crd: KubeObject, version: string): TableConvertor {
  const versions = (crd.spec as { versions?: { name?: string; additionalPrinterColumns?: PrinterColumn[] }[] } | undefined)?.versions ?? [];
  return customResourceTableConvertor(versions.find((v) => v.name === version)?.additionalPrinterColumns);
}
