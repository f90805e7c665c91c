/**
 * The embedded SQLite backend of storage.Interface: a kine-style append-only log
 * (README.md) with group commit, in-process watch fan-out and chunked compaction.
 */
import type { DatabaseSync } from 'node:sqlite';
import { StorageError, StorageErrorCode } from '../interface.ts';
import type { KeyValue, ListOptions, ListResult, Storage, WatchCallbacks, WatchEvent, WatchHandle, WriteOptions } from '../interface.ts';
import { ExpiryTable } from './expiry.ts';
import { normalizePrefix, prefixEnd } from '../keys.ts';
import { GroupCommitter } from './group-commit.ts';
import { LogTable, rowToEvent, rowToKeyValue } from './log.ts';
import { openDatabase } from './schema.ts';
import { WalSync } from './wal-sync.ts';
import { WatchHub } from './watch-hub.ts';
import { startCompactor } from '../compactor.ts';
import type { Compactor, CompactorOptions } from '../compactor.ts';

/** Options of the SQLite store. */
export interface SqliteStorageOptions {
  /** Path of the database file (created if missing). */
  readonly path: string;
  /** Automatic compaction; `false` turns it off. Default: every 5 minutes, keep 1000 revisions. */
  readonly compactor?: Partial<CompactorOptions> | false;
  /** How long to wait for another owner of the file to let go before failing (default 5 s). */
  readonly busyTimeoutMs?: number;
  /** How often keys written with a TTL are checked for expiry (default 1 s). */
  readonly expirySweepMs?: number;
}

const compactedKey = 'compacted_revision';
/** Revisions compacted per transaction, so a big compaction never stalls the event loop for long. */
const compactChunk = 1000;
/** Expired keys deleted per sweep (one transaction); the rest wait for the next sweep. */
const expiryChunk = 500;

function expiresAt(opts: WriteOptions | undefined): number | undefined {
  return opts?.ttlSeconds === undefined ? undefined : Date.now() + opts.ttlSeconds * 1000;
}

/** storage.Interface over one SQLite file owned by this process. */
export class SqliteStorage implements Storage {
  readonly #db: DatabaseSync;
  readonly #log: LogTable;
  readonly #hub: WatchHub;
  readonly #writer: GroupCommitter;
  readonly #compactor: Compactor | undefined;
  readonly #expiry: ExpiryTable;
  readonly #wal: WalSync;
  readonly #sweeper: NodeJS.Timeout;
  #compacting: Promise<void> = Promise.resolve();
  #closed = false;
  #closing = false;

  constructor(opts: SqliteStorageOptions) {
    this.#db = openDatabase(opts.path, opts.busyTimeoutMs);
    this.#log = new LogTable(this.#db);
    const log = this.#log;
    this.#hub = new WatchHub({
      replay: (prefix, after, limit) => {
        const rows = log.events(prefix, prefixEnd(prefix), after, limit);
        return rows.map(({ row, prev }) => rowToEvent(row, prev));
      },
      compactedRevision: () => log.meta(compactedKey),
    });
    this.#expiry = new ExpiryTable(this.#db);
    this.#wal = new WalSync(this.#db, opts.path);
    this.#writer = new GroupCommitter(this.#db, this.#log, this.#expiry, this.#wal, (events) => this.#hub.publish(events));
    this.#sweeper = setInterval(() => this.#sweepExpired(), opts.expirySweepMs ?? 1000);
    this.#sweeper.unref();
    this.#compactor = opts.compactor === false ? undefined : startCompactor(this, opts.compactor ?? {});
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#assertOpen(key);
    const row = this.#log.latest(key);
    return row && !row.deleted ? rowToKeyValue(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = normalizePrefix(prefix);
    this.#assertOpen(start);
    const end = prefixEnd(start);
    const current = this.#log.currentRevision();
    const rev = opts.revision && opts.revision > 0 ? opts.revision : current;
    if (rev > current) {
      throw new StorageError(StorageErrorCode.Invalid, start, `revision ${rev} is in the future (current ${current})`, current);
    }
    this.#assertNotCompacted(start, rev);
    const after = opts.startAfter ?? '';
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    // One row more than asked tells whether more follow without a second query.
    const rows = this.#log.list(start, end, after, rev, limit > 0 ? limit + 1 : -1);
    const more = limit > 0 && rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const items = page.map(rowToKeyValue);
    const remaining = more ? this.#log.count(start, end, items[items.length - 1].key, rev) : 0;
    return { items, revision: rev, more, remaining };
  }

  async count(prefix: string): Promise<number> {
    const start = normalizePrefix(prefix);
    this.#assertOpen(start);
    return this.#log.count(start, prefixEnd(start), '', this.#log.currentRevision());
  }

  async create(key: string, value: string, opts?: WriteOptions): Promise<KeyValue> {
    const { event } = await this.#writer.submit({ kind: 'create', key, value, expiresAtMs: expiresAt(opts) });
    return putKv(event);
  }

  async update(key: string, value: string, expectedModRevision: number, opts?: WriteOptions): Promise<KeyValue> {
    const { event } = await this.#writer.submit({ kind: 'update', key, value, expected: expectedModRevision, expiresAtMs: expiresAt(opts) });
    return putKv(event);
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }> {
    const { event } = await this.#writer.submit({ kind: 'delete', key, expected: expectedModRevision });
    if (event.type !== 'delete') {
      throw new Error('sqlite: delete produced a put event');
    }
    return { prev: event.prev, revision: event.revision };
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
    const start = normalizePrefix(prefix);
    if (this.#closed) {
      setImmediate(() => cb.onError(new StorageError(StorageErrorCode.Unavailable, start, 'storage closed')));
      return { cancel: () => undefined };
    }
    return this.#hub.watch(start, fromRevision, cb);
  }

  async currentRevision(): Promise<number> {
    this.#assertOpen('');
    return this.#log.currentRevision();
  }

  async compactedRevision(): Promise<number> {
    this.#assertOpen('');
    return this.#log.meta(compactedKey);
  }

  /** Compacts in chunks of revisions, each its own transaction; concurrent calls run one after another. */
  compact(revision: number): Promise<void> {
    const run = this.#compacting.then(() => this.#compactTo(revision));
    this.#compacting = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closing = true;
    clearInterval(this.#sweeper);
    this.#compactor?.stop();
    this.#writer.close();
    await this.#compacting;
    // Acknowledge what the last batches wrote, then close with FULL syncing for the final checkpoint.
    await this.#wal.close();
    this.#closed = true;
    this.#hub.closeAll();
    this.#db.exec('PRAGMA synchronous = FULL');
    this.#db.close();
  }

  async #compactTo(target: number): Promise<void> {
    this.#assertOpen('');
    const current = this.#log.currentRevision();
    if (target > current) {
      throw new StorageError(StorageErrorCode.Invalid, '', `cannot compact to ${target}: current revision is ${current}`, current);
    }
    let done = this.#log.meta(compactedKey);
    while (done < target && !this.#closing) {
      const to = Math.min(done + compactChunk, target);
      // Like every write transaction: begun while no sync runs, and synced once committed (a
      // checkpoint relies on both). Nobody waits for the compaction chunk's sync.
      await new Promise<void>((resolve, reject) => this.#wal.whenIdle(() => {
        try {
          this.#compactChunk(done, to);
          resolve();
        } catch (err) {
          reject(err);
        }
      }));
      done = to;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** One compaction transaction: rows superseded in (from, to], and the compacted revision. */
  #compactChunk(from: number, to: number): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      this.#log.compactRange(from, to);
      this.#log.setMeta(compactedKey, to);
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw new StorageError(StorageErrorCode.Unavailable, '', `compaction failed: ${String(err)}`);
    }
    this.#wal.afterCommit().catch(() => undefined);
  }

  /** Deletes the keys whose TTL ran out, through the group committer (one batch, ordinary tombstones and watch events). */
  #sweepExpired(): void {
    if (this.#closing || this.#closed) {
      return;
    }
    for (const due of this.#expiry.due(Date.now(), expiryChunk)) {
      // NotFound/Conflict: the key was deleted or rewritten since; its entry is gone either way.
      this.#writer.submit({ kind: 'expire', key: due.name, revision: due.revision }).catch(() => undefined);
    }
  }

  #assertOpen(key: string): void {
    if (this.#closed) {
      throw new StorageError(StorageErrorCode.Unavailable, key, 'storage closed');
    }
  }

  #assertNotCompacted(key: string, rev: number): void {
    const compacted = this.#log.meta(compactedKey);
    if (rev < compacted) {
      throw new StorageError(
        StorageErrorCode.Compacted,
        key,
        `required revision ${rev} has been compacted (compacted revision ${compacted})`,
        compacted,
      );
    }
  }
}

function putKv(event: WatchEvent): KeyValue {
  if (event.type !== 'put') {
    throw new Error('sqlite: write produced a delete event');
  }
  return event.kv;
}
