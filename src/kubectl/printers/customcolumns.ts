/**
 * `-o custom-columns=HEADER:path,...` and `-o custom-columns-file=FILE` as kubectl prints them:
 * headers as written, one row per object (List items expanded), each cell the path's values
 * printed with Go's %v and joined by commas, `<none>` when the path finds nothing, laid out
 * by kubectl's tabwriter.
 */
import { CliError } from '../command.ts';
import { goPrint, isJsonObject } from './gofmt.ts';
import { compileJsonPath, relaxedJsonPath } from './jsonpath.ts';
import type { JsonPathTemplate } from './jsonpath.ts';
import { TabWriter } from './tabwriter.ts';

/** One column: its header and its (relaxed, `{.a.b}`) JSONPath. */
export interface Column {
  readonly header: string;
  readonly fieldSpec: string;
}

/** Output written before a failure (kubectl has already printed the header and earlier rows). */
export class CustomColumnsError extends CliError {
  readonly stdout: string;
  constructor(message: string, stdout: string) {
    super(message);
    this.stdout = stdout;
  }
}

/** Parses `NAME:.metadata.name,UID:{.metadata.uid}`; file contents (two lines) go to parseCustomColumnsFile. */
export function parseCustomColumns(spec: string): Column[] {
  if (spec.includes('\n')) {
    return parseCustomColumnsFile(spec);
  }
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) {
      throw new CliError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    }
    return { header: part.slice(0, colon), fieldSpec: relaxedJsonPath(part.slice(colon + 1)) };
  });
}

/** Parses a custom-columns file: a line of whitespace-separated headers, then a line of paths. */
export function parseCustomColumnsFile(content: string): Column[] {
  const lines = content.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length < 1 || content === '') {
    throw new CliError('invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.');
  }
  if (lines.length < 2) {
    throw new CliError('invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.');
  }
  const words = (l: string): string[] => l.split(/\s+/).filter((w) => w !== '');
  const headers = words(lines[0] ?? '');
  const specs = words(lines[1] ?? '');
  if (headers.length !== specs.length) {
    throw new CliError(`number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  }
  return headers.map((header, i) => ({ header, fieldSpec: relaxedJsonPath(specs[i] ?? '') }));
}

function cell(path: JsonPathTemplate, obj: unknown): string {
  const results = path.findResults(obj, true);
  const values = results.flat();
  if ((results[0]?.length ?? 0) === 0) {
    return ['<none>', ...values.map((v) => goPrint(v))].join(',');
  }
  return values.map((v) => goPrint(v)).join(',');
}

function expand(objs: readonly unknown[]): unknown[] {
  // A List (kind ending in "List" with items) prints one row per item, as meta.ExtractList does.
  return objs.flatMap((o) => (isJsonObject(o) && Array.isArray(o.items) && typeof o.kind === 'string' && o.kind.endsWith('List') ? (o.items as unknown[]) : [o]));
}

/** Lays out the objects as kubectl's custom-columns printer; throws CustomColumnsError (with the partial output) when a path fails. */
export function printCustomColumns(objs: readonly unknown[], cols: readonly Column[], noHeaders: boolean): string {
  const tw = new TabWriter();
  if (!noHeaders) {
    tw.row(cols.map((c) => c.header));
  }
  let paths: JsonPathTemplate[];
  try {
    paths = cols.map((c) => compileJsonPath(c.fieldSpec));
  } catch (err) {
    // Upstream parses the column paths after printing the header, and reports the bare reason.
    const reason = (err as Error).message.replace(/^error parsing jsonpath .*?, /s, '');
    throw new CustomColumnsError(reason, tw.flush());
  }
  for (const obj of expand(objs)) {
    try {
      tw.row(paths.map((p) => cell(p, obj)));
    } catch (err) {
      throw new CustomColumnsError((err as Error).message, tw.flush());
    }
  }
  return tw.flush();
}
