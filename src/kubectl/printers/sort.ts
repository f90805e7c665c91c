/**
 * `--sort-by=<jsonpath>` as kubectl orders objects (RuntimeSort) and server-side Table rows
 * (TableSorter): the first value the path yields decides; objects without it sort first;
 * int64 and float64 numerically, strings as quantities when both parse, else bytewise;
 * other or mixed types are fatal ("unsortable type"). Go's sort.Sort is an insertion sort
 * for up to 12 elements, and its comparison is not a strict order (two objects missing the
 * field are each "less" than the other), so that algorithm is reproduced exactly there.
 */
import { tryParseQuantity } from '../../api/quantity.ts';
import { RawMessageError } from '../cli/errors.ts';
import { CliError } from '../command.ts';
import { isGoInt, isJsonObject } from './gofmt.ts';
import { compileJsonPath, relaxedJsonPath } from './jsonpath.ts';
import type { Table } from './table.ts';

class Unsortable extends Error {}

function goKind(v: unknown): string {
  if (Array.isArray(v)) {
    return '[]interface {}';
  }
  if (isJsonObject(v)) {
    return 'map[string]interface {}';
  }
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** kubectl's isLess for two values taken out of unstructured content (both interface-typed). */
function isLess(i: unknown, j: unknown): boolean {
  if (i === null && j === null) {
    return false;
  }
  if (i === null) {
    return true;
  }
  if (j === null) {
    return false;
  }
  if (typeof i === 'number') {
    if (typeof j === 'number' && isGoInt(i) === isGoInt(j)) {
      return i < j;
    }
    throw new Unsortable('unsortable interface: interface');
  }
  if (typeof i === 'string') {
    if (typeof j !== 'string') {
      throw new Unsortable('unsortable interface: interface');
    }
    const qi = tryParseQuantity(i);
    const qj = qi === undefined ? undefined : tryParseQuantity(j);
    if (qi !== undefined && qj !== undefined) {
      return qi.cmp(qj) < 0;
    }
    return Buffer.compare(Buffer.from(i), Buffer.from(j)) < 0;
  }
  throw new Unsortable(`unsortable type: ${goKind(i)}`);
}

/** Go's sort.Sort over `less`: insertion sort up to 12 elements (what kubectl's lists nearly always are), else a stable sort. */
function goSort<T>(items: T[], less: (a: T, b: T) => boolean): T[] {
  if (items.length <= 12) {
    for (let i = 1; i < items.length; i++) {
      for (let j = i; j > 0 && less(items[j] as T, items[j - 1] as T); j--) {
        const t = items[j] as T;
        items[j] = items[j - 1] as T;
        items[j - 1] = t;
      }
    }
    return items;
  }
  return items.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
}

interface Keyed<T> {
  readonly item: T;
  /** The first value the path found, or `undefined` when it found none. */
  readonly key: unknown;
  readonly found: boolean;
}

function sortKeyed<T>(items: readonly T[], objectOf: (t: T) => unknown, expr: string, where: string): T[] {
  const field = relaxedJsonPath(expr);
  const path = compileJsonPath(field);
  const keyed: Keyed<T>[] = items.map((item) => {
    let results: unknown[][];
    try {
      results = path.findResults(objectOf(item), true);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const first = results[0];
    return first !== undefined && first.length > 0 ? { item, key: first[0] ?? null, found: true } : { item, key: undefined, found: false };
  });
  if (keyed.length > 0 && !keyed.some((k) => k.found)) {
    throw new CliError(`couldn't find any field with path ${JSON.stringify(field)} in the list of objects`);
  }
  try {
    return goSort(keyed, (a, b) => {
      if (!a.found) {
        return true;
      }
      if (!b.found) {
        return false;
      }
      return isLess(a.key, b.key);
    }).map((k) => k.item);
  } catch (err) {
    if (err instanceof Unsortable) {
      throw new UnsortableError(field, where, err.message);
    }
    throw err;
  }
}

/** klog.Exitf's fatal line kubectl dies with on an unsortable field (printed as is, exit 1). */
export class UnsortableError extends RawMessageError {
  constructor(field: string, where: string, reason: string) {
    const now = new Date();
    const two = (n: number): string => String(n).padStart(2, '0');
    const stamp = `${two(now.getMonth() + 1)}${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${String(now.getMilliseconds() * 1000).padStart(6, '0')}`;
    super(`F${stamp} ${String(process.pid).padStart(7)} sorter.go:${where === 'table' ? 375 : 329}] Field ${field} in ${where === 'table' ? '[][][]reflect.Value' : '*unstructured.Unstructured'} is an unsortable type: interface, err: ${reason}`);
  }
}

/**
 * Orders objects by a --sort-by expression (`.a.b`, `a.b`, `{.a.b}`); throws CliError for
 * paths no object has (`couldn't find any field with path "{.x}" in the list of objects`) and
 * jsonpath failures, UnsortableError for values kubectl cannot compare.
 */
export function sortObjects<T>(objs: readonly T[], jsonPathExpr: string): T[] {
  return sortKeyed(objs, (o) => o, jsonPathExpr, 'object');
}

/**
 * Orders a server-side Table's rows by evaluating the expression on each row's embedded object
 * (requested with includeObject=Object). When the path is found in no row, or fails, kubectl
 * ends up printing no rows at all ("No resources found ..."), so the table comes back empty;
 * unsortable values still throw UnsortableError.
 */
export function sortTableRows<T extends Table>(table: T, jsonPathExpr: string): T {
  const rows = table.rows ?? [];
  try {
    return { ...table, rows: sortKeyed(rows, (r) => r.object ?? {}, jsonPathExpr, 'table') };
  } catch (err) {
    if (err instanceof UnsortableError || !(err instanceof CliError)) {
      throw err;
    }
    return { ...table, rows: [] };
  }
}
