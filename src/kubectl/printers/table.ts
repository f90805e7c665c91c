/**
 * Prints server-side Tables (meta.k8s.io/v1) as kubectl's human-readable printer does: priority>0
 * columns only with -o wide, NAMESPACE first with -A, `kind.group/` name prefixes when several
 * kinds are shown, -L label columns, --show-labels, --no-headers; one TabWriter per kind.
 */
import { TabWriter } from './tabwriter.ts';

/** `metav1.TableColumnDefinition` */
export interface TableColumn {
  readonly name: string;
  readonly type?: string;
  readonly format?: string;
  readonly priority?: number;
}

/** `metav1.TableRow` */
export interface TableRow {
  readonly cells: readonly unknown[];
  readonly object?: { readonly metadata?: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> } } & Record<string, unknown>;
}

/** `metav1.Table` */
export interface Table {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
  readonly columnDefinitions?: readonly TableColumn[] | null;
  rows?: TableRow[] | null;
}

/** How to lay out a table. */
export interface TableOptions {
  readonly wide: boolean;
  readonly withNamespace: boolean;
  readonly noHeaders: boolean;
  readonly showLabels: boolean;
  readonly labelColumns: readonly string[];
  /** `pod`, `deployment.apps`: prefixes names when several kinds are printed (or --show-kind). */
  readonly kindPrefix?: string;
}

/** True for a decoded meta.k8s.io Table. */
export function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Table' && Array.isArray((v as { columnDefinitions?: unknown }).columnDefinitions);
}

/** A cell as Go's fmt.Fprint writes it (nil prints as `<nil>`, but the server never sends nil for set columns). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) {
    return '';
  }
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    return String(v);
  }
  return JSON.stringify(v);
}

function labelHeader(key: string): string {
  const parts = key.split('/');
  return parts[parts.length - 1].toUpperCase();
}

/** `a=b,c=d` sorted by key, or `<none>`. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${(labels ?? {})[k]}`).join(',');
}

/** Prints the tables of one kind (several pages or several GETs share the header). */
export class TablePrinter {
  private readonly writer = new TabWriter();
  private readonly opts: TableOptions;
  private columns: TableColumn[] | undefined;
  private headerPrinted = false;

  constructor(opts: TableOptions) {
    this.opts = opts;
  }

  /** Whether the header was printed already (a later kind is separated by a blank line). */
  get printedAnything(): boolean {
    return this.headerPrinted;
  }

  /** Appends a table's rows (and the header before the first rows); returns the laid-out text. */
  add(table: Table, flush = true): string {
    if (this.columns === undefined && table.columnDefinitions !== null && table.columnDefinitions !== undefined) {
      this.columns = [...table.columnDefinitions];
    }
    const cols = this.columns ?? [];
    const visible = cols.map((c, i) => ({ c, i })).filter(({ c }) => this.opts.wide || (c.priority ?? 0) === 0);
    const rows = table.rows ?? [];
    if (!this.headerPrinted && rows.length > 0) {
      this.headerPrinted = true;
      if (!this.opts.noHeaders) {
        const header = [...(this.opts.withNamespace ? ['NAMESPACE'] : []), ...visible.map(({ c }) => c.name.toUpperCase()), ...this.opts.labelColumns.map(labelHeader), ...(this.opts.showLabels ? ['LABELS'] : [])];
        this.writer.row(header);
      }
    }
    const nameIndex = Math.max(0, cols.findIndex((c) => c.format === 'name'));
    for (const row of rows) {
      const meta = row.object?.metadata;
      const cells: string[] = [];
      if (this.opts.withNamespace) {
        cells.push(meta?.namespace ?? '');
      }
      for (const { i } of visible) {
        const text = cellText(row.cells[i]);
        cells.push(i === nameIndex && this.opts.kindPrefix !== undefined ? `${this.opts.kindPrefix}/${text}` : text);
      }
      for (const key of this.opts.labelColumns) {
        cells.push(meta?.labels?.[key] ?? '');
      }
      if (this.opts.showLabels) {
        cells.push(formatLabels(meta?.labels));
      }
      this.writer.row(cells);
    }
    return flush ? this.writer.flush() : '';
  }

  /** Lays out whatever is buffered. */
  flush(): string {
    return this.writer.flush();
  }
}
