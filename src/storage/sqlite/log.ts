/**
 * Typed access to the `log` table: every read and write the SQLite backend does, as
 * prepared statements. All methods are synchronous; callers own transactions.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { KeyValue, WatchEvent } from '../interface.ts';

/** One row of the log as stored. */
export interface LogRow {
  readonly id: number;
  readonly name: string;
  readonly created: boolean;
  readonly deleted: boolean;
  readonly createRevision: number;
  readonly prevRevision: number;
  readonly value: string;
}

/** The row to append; the id (revision) is assigned by SQLite. */
export type NewLogRow = Omit<LogRow, 'id'>;

type SqlRow = Record<string, unknown>;

function num(row: SqlRow, col: string): number {
  const v = row[col];
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'bigint') {
    return Number(v);
  }
  throw new Error(`log: column ${col} is not a number`);
}

function str(row: SqlRow, col: string): string {
  const v = row[col];
  if (typeof v !== 'string') {
    throw new Error(`log: column ${col} is not text`);
  }
  return v;
}

function toRow(row: SqlRow, p = ''): LogRow {
  return {
    id: num(row, `${p}id`),
    name: str(row, `${p}name`),
    created: num(row, `${p}created`) !== 0,
    deleted: num(row, `${p}deleted`) !== 0,
    createRevision: num(row, `${p}create_revision`),
    prevRevision: num(row, `${p}prev_revision`),
    value: str(row, `${p}value`),
  };
}

/** The KeyValue a live (non-deleted) row stands for. A created row's create revision is its own id. */
export function rowToKeyValue(row: LogRow): KeyValue {
  return {
    key: row.name,
    value: row.value,
    modRevision: row.id,
    createRevision: row.created ? row.id : row.createRevision,
  };
}

/** The watch event a row stands for, given the row it superseded (if still present). */
export function rowToEvent(row: LogRow, prevRow: LogRow | undefined): WatchEvent {
  const prev = prevRow && !prevRow.deleted ? rowToKeyValue(prevRow) : undefined;
  if (row.deleted) {
    if (!prev) {
      throw new Error(`log: tombstone ${row.id} for ${row.name} has no previous value`);
    }
    return { type: 'delete', key: row.name, revision: row.id, prev };
  }
  return { type: 'put', kv: rowToKeyValue(row), prev: row.created ? undefined : prev };
}

const columns = 'id, name, created, deleted, create_revision, prev_revision, value';
const prevColumns = columns
  .split(', ')
  .map((c) => `p.${c} AS p_${c}`)
  .join(', ');

/** Prepared statements over the log; one instance per open database. */
export class LogTable {
  readonly #latest: StatementSync;
  readonly #insert: StatementSync;
  readonly #sequence: StatementSync;
  readonly #list: StatementSync;
  readonly #countLive: StatementSync;
  readonly #events: StatementSync;
  readonly #getMeta: StatementSync;
  readonly #setMeta: StatementSync;
  readonly #deleteSuperseded: StatementSync;
  readonly #deleteTombstones: StatementSync;

  constructor(db: DatabaseSync) {
    this.#latest = db.prepare(`SELECT ${columns} FROM log WHERE name = ? ORDER BY id DESC LIMIT 1`);
    this.#insert = db.prepare(
      'INSERT INTO log (name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'");
    // Live keys as of a revision: rows in the key range with no newer row for the same key
    // at or below that revision. Walking the (name, id, deleted) index in key order with one
    // index probe per row lets LIMIT stop early (a GROUP BY MAX(id) cannot stream).
    const liveAsOf = `l.name >= $start AND l.name < $end AND l.name > $after AND l.id <= $rev AND l.deleted = 0
      AND NOT EXISTS (SELECT 1 FROM log n WHERE n.name = l.name AND n.id > l.id AND n.id <= $rev)`;
    this.#list = db.prepare(`SELECT ${columns} FROM log l WHERE ${liveAsOf} ORDER BY l.name LIMIT $limit`);
    this.#countLive = db.prepare(`SELECT COUNT(*) AS n FROM log l WHERE ${liveAsOf}`);
    this.#events = db.prepare(
      `SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.prev_revision, l.value, ${prevColumns}
       FROM log l LEFT JOIN log p ON p.id = l.prev_revision
       WHERE l.id > $after AND l.name >= $start AND l.name < $end ORDER BY l.id LIMIT $limit`,
    );
    this.#getMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.#setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    // Every row in (from, to] supersedes the row named by its prev_revision; tombstones
    // in the range go too. That leaves exactly the state as of `to` (as kine compacts).
    this.#deleteSuperseded = db.prepare(
      'DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision != 0)',
    );
    this.#deleteTombstones = db.prepare('DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1');
  }

  /** The newest row for a key (a tombstone when the key was deleted last). */
  latest(name: string): LogRow | undefined {
    const row = this.#latest.get(name);
    return row ? toRow(row) : undefined;
  }

  /** Appends a row; returns its revision. */
  insert(row: NewLogRow): number {
    const res = this.#insert.run(
      row.name,
      row.created ? 1 : 0,
      row.deleted ? 1 : 0,
      row.createRevision,
      row.prevRevision,
      row.value,
    );
    return Number(res.lastInsertRowid);
  }

  /** The highest revision ever assigned (survives deletion of the newest rows by compaction). */
  currentRevision(): number {
    const row = this.#sequence.get();
    return row ? num(row, 'seq') : 0;
  }

  /** Live keys in [start, end) and > after, as of rev, in key order, at most limit rows. */
  list(start: string, end: string, after: string, rev: number, limit: number): LogRow[] {
    return this.#list.all({ start, end, after, rev, limit }).map((r) => toRow(r));
  }

  /** How many live keys in [start, end) and > after exist as of rev. */
  count(start: string, end: string, after: string, rev: number): number {
    const row = this.#countLive.get({ start, end, after, rev });
    return row ? num(row, 'n') : 0;
  }

  /** Rows in [start, end) with revision > after, oldest first, with the rows they superseded. */
  events(start: string, end: string, after: number, limit: number): Array<{ row: LogRow; prev: LogRow | undefined }> {
    return this.#events.all({ start, end, after, limit }).map((r) => ({
      row: toRow(r),
      prev: r.p_id == null ? undefined : toRow(r, 'p_'),
    }));
  }

  /** A number from the meta table (0 when unset). */
  meta(key: string): number {
    const row = this.#getMeta.get(key);
    return row ? num(row, 'value') : 0;
  }

  /** Stores a number in the meta table. */
  setMeta(key: string, value: number): void {
    this.#setMeta.run(key, value);
  }

  /** Removes the rows that writes in (from, to] superseded, and the tombstones among them. */
  compactRange(from: number, to: number): number {
    const a = this.#deleteSuperseded.run(from, to);
    const b = this.#deleteTombstones.run(from, to);
    return Number(a.changes) + Number(b.changes);
  }
}
